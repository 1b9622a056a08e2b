/**
 * The key the invitation links are signed with (functions/core/invitation-link.ts). In AWS it is a
 * Secrets Manager secret (LINK_KEY_SECRET_ARN), read on first use — not at import, so a cold start
 * does not wait for it — through the AWS Parameters and Secrets Lambda Extension the stack attaches
 * (it caches the secret; no SDK client in the bundle). Locally the embedded stack passes LINK_KEY.
 */
export type LinkKey = () => Promise<string>;

export const linkKeyFromEnv = (env: NodeJS.ProcessEnv = process.env): LinkKey => {
  const direct = env.LINK_KEY;
  const arn = env.LINK_KEY_SECRET_ARN;
  if (direct) return async () => direct;
  if (!arn)
    throw new Error(
      'environment variable LINK_KEY_SECRET_ARN (or LINK_KEY locally) is not set; the stack sets it',
    );
  let key: Promise<string> | undefined;
  return () =>
    (key ??= (async () => {
      const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
      const res = await fetch(
        `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(arn)}`,
        { headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' } },
      );
      if (!res.ok) throw new Error(`the link key secret could not be read (${res.status})`);
      const out = (await res.json()) as { SecretString?: string };
      if (!out.SecretString || out.SecretString.length < 32)
        throw new Error('the link key secret is missing or shorter than 32 characters');
      return out.SecretString;
    })().catch((error: unknown) => {
      key = undefined; // try again on the next request
      throw error;
    }));
};
