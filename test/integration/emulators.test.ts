/** The emulators start on free ports, and DynamoDB Local survives losing its port to another process. */
import { createServer, type Server, type Socket } from 'node:net';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startDynamo } from '../../local/emulators.ts';
import { dynamoClient } from '../../local/runtime.ts';

const busy: Server[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(busy.map((s) => new Promise((r) => s.close(r))));
});

/** A port some other process holds: it accepts connections and never answers. */
const takenPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer((socket) => sockets.push(socket));
    busy.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });

describe('emulators', () => {
  it('DynamoDB Local whose picked port is taken before it binds starts again on another port', async () => {
    const taken = await takenPort();
    const picks: number[] = [];
    const pick = async () => {
      const port = picks.length === 0 ? taken : await freePort();
      picks.push(port);
      return port;
    };
    const dynamo = await startDynamo(pick);
    try {
      expect(picks).toHaveLength(2);
      expect(dynamo.endpoint).toBe(`http://127.0.0.1:${picks[1]}`);
      const client = dynamoClient(dynamo.endpoint);
      await expect(client.send(new ListTablesCommand({}))).resolves.toHaveProperty('TableNames');
      client.destroy();
    } finally {
      dynamo.process.kill('SIGTERM');
    }
  }, 120_000);

  it('gives up after three taken ports, with DynamoDB Local’s own reason', async () => {
    const taken = await takenPort();
    await expect(startDynamo(async () => taken)).rejects.toThrow(
      new RegExp(
        `DynamoDB Local exited with code 1 on port ${taken}: [\\s\\S]*(BindException|Address already in use)`,
      ),
    );
  }, 120_000);
});
