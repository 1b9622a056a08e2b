/** Where the KPI facts go (issue 15): JSON lines objects in the county's export bucket. */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface FactStore {
  put(key: string, jsonLines: string): Promise<void>;
}

export const s3FactStore = (bucket: string, client?: S3Client): FactStore => {
  const s3 =
    client ??
    new S3Client({
      // The emulator serves buckets by path (no wildcard DNS on this machine); AWS by host.
      forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3),
    });
  return {
    async put(key, jsonLines) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: jsonLines,
          ContentType: 'application/x-ndjson',
        }),
      );
    },
  };
};
