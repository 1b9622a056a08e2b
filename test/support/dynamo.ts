import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { CaseReader } from '../../functions/adapters/case-reader.ts';
import { createDocumentClient } from '../../functions/adapters/dynamodb.ts';
import { recentRejections } from '../../local/inspect.ts';
import { createTable, dynamoClient } from '../../local/runtime.ts';
import { uniqueId } from './fixtures.ts';

/** A fresh table on the run's DynamoDB Local, with a store on top; `client` accepts fault middleware. */
export const freshTable = async () => {
  const client: DynamoDBClient = dynamoClient(inject('endpoints').dynamodb);
  const tableName = uniqueId('test-cases');
  await createTable(client, tableName);
  const store = new CaseReader(createDocumentClient(client), tableName);
  return {
    client,
    tableName,
    store,
    /** Today's and yesterday's rejections: a rejection is filed under its record's SentTimestamp day,
     * which is yesterday when a test crosses midnight UTC. */
    rejections: () => recentRejections(store),
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
};

/** SDK middleware that fails chosen commands, the way the real service would. */
export const injectFault = (
  client: DynamoDBClient,
  shouldFail: (commandName: string, input: Record<string, unknown>) => boolean,
  makeError: () => Error,
) => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (shouldFail(context.commandName ?? '', args.input as Record<string, unknown>)) throw makeError();
      return next(args);
    },
    { step: 'initialize', name: `fault-${Math.random()}` },
  );
};
