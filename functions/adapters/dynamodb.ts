import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One document client per process (Lambda reuses it across invocations). The endpoint comes
 * from the SDK's own configuration (AWS_ENDPOINT_URL_DYNAMODB locally), so production code has
 * no emulator branch.
 */
export const createDocumentClient = (client = new DynamoDBClient({})): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
