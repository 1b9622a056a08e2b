/** Sends CloudEvents files to the queue of their type, exactly as written (malformed files too). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type EventType, isKnownType } from '../events/contracts.ts';

export interface Published {
  file: string;
  eventType: EventType;
  messageId: string;
  eventId?: string;
}

/** A directory expands to its *.json files in file-name order. */
export const expandPaths = (paths: string[]): string[] =>
  paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );

export const routeOf = (body: string, override?: EventType): EventType => {
  if (override) return override;
  let type: unknown;
  try {
    type = (JSON.parse(body) as { type?: unknown }).type;
  } catch {
    throw new Error(
      'it is not valid JSON, so its type cannot be read; pass --type <event type> to choose a queue',
    );
  }
  if (!isKnownType(type))
    throw new Error(`its type ${JSON.stringify(type)} has no queue; pass --type <event type> to choose one`);
  return type;
};

export const publishBody = async (
  sqs: SQSClient,
  queues: Record<EventType, { url: string }>,
  body: string,
  eventType: EventType,
): Promise<string> => {
  const out = await sqs.send(new SendMessageCommand({ QueueUrl: queues[eventType].url, MessageBody: body }));
  if (!out.MessageId) throw new Error('SQS returned no message id');
  return out.MessageId;
};

export const publishFiles = async (
  sqs: SQSClient,
  queues: Record<EventType, { url: string }>,
  paths: string[],
  override?: EventType,
): Promise<Published[]> => {
  const sent: Published[] = [];
  for (const file of expandPaths(paths)) {
    const body = readFileSync(file, 'utf8');
    let eventType: EventType;
    try {
      eventType = routeOf(body, override);
    } catch (error) {
      throw new Error(`cannot publish ${basename(file)}: ${(error as Error).message}`, { cause: error });
    }
    const messageId = await publishBody(sqs, queues, body, eventType);
    let eventId: string | undefined;
    try {
      eventId = (JSON.parse(body) as { id?: string }).id;
    } catch {}
    sent.push({ file, eventType, messageId, ...(eventId ? { eventId } : {}) });
  }
  return sent;
};
