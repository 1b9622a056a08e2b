/**
 * An in-memory DynamoDB table behind the DocumentClient's `send`, for the simulation: the real
 * CaseStore runs against it unchanged. It applies what the code uses with DynamoDB's own rules —
 * conditions, transactions (all or nothing, CancellationReasons, one action per item), queries on
 * the table and the sparse `due` index with 1 MB pages — and its limits: 400 KB items, 100 actions
 * and 4 MB per transaction, key sizes, unused expression values. The differential test
 * (test/integration/dynamo-differential.test.ts) replays what the simulation did against DynamoDB
 * Local and compares every answer.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { checkAllUsed, context, parseCondition, parseUpdate } from './expressions.ts';

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

export const MAX_ITEM_BYTES = 400 * 1024;
export const MAX_TRANSACTION_ACTIONS = 100;
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
export const PAGE_BYTES = 1024 * 1024;

export class ValidationError extends DynamoDBServiceException {
  constructor(message: string) {
    super({ name: 'ValidationException', $fault: 'client', $metadata: {}, message });
  }
}

const isAscii = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
};
/** A string's UTF-8 bytes: its length when it is ASCII (most are), else Node's count. */
const utf8Bytes = (s: string): number => (isAscii(s) ? s.length : Buffer.byteLength(s, 'utf8'));
/** DynamoDB's item size: attribute names plus values (docs: "Item sizes and formats"). */
export const sizeOf = (value: unknown): number => {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace('.', '').replace(/^0+/, '').length / 2) + 1;
  if (Array.isArray(value)) {
    let n = 3;
    for (const v of value) n += sizeOf(v) + 1;
    return n;
  }
  if (typeof value === 'object') {
    let n = 3;
    for (const k in value as Item) {
      const v = (value as Item)[k];
      if (v !== undefined) n += utf8Bytes(k) + sizeOf(v) + 1;
    }
    return n;
  }
  return 0;
};
export const itemSize = (item: Item): number => {
  let n = 0;
  for (const k in item) {
    const v = item[k];
    if (v !== undefined) n += utf8Bytes(k) + sizeOf(v);
  }
  return n;
};

const deepFreeze = (v: unknown): void => {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
};

/** DynamoDB orders string keys by their UTF-8 bytes; for ASCII that is JavaScript's own order. */
const utf8Order = (a: string, b: string): number =>
  isAscii(a) && isAscii(b)
    ? a < b
      ? -1
      : a > b
        ? 1
        : 0
    : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
/** A sort key whose JavaScript order is the UTF-8 byte order: the key itself when it is ASCII. */
const utf8SortKey = (s: string): string => (isAscii(s) ? s : Buffer.from(s, 'utf8').toString('latin1'));

/**
 * What the DocumentClient would send: a copy, undefined values removed (removeUndefinedValues).
 * The same as a JSON round trip for plain objects, arrays and scalars, five times faster (every
 * command passes here); anything else takes the round trip.
 */
const clean = <T>(value: T): T => {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value))
    return value.map((x: unknown) => (x === undefined || typeof x === 'function' ? null : clean(x))) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return JSON.parse(JSON.stringify(value)) as T;
  const copy: Record<string, unknown> = {};
  for (const k in value) {
    const x = (value as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== 'function') copy[k] = clean(x);
  }
  return copy as T;
};

export interface OpRecord {
  command: string;
  input: Record<string, unknown>;
  outcome: { ok: unknown } | { error: string; reasons?: string[] };
}

export interface LimitViolation {
  command: string;
  message: string;
}

export class SimDynamo {
  private readonly items = new Map<string, Map<string, Item>>();
  /** The sparse `due` index: gsi1pk → items that carry it. */
  private readonly due = new Map<string, Set<Item>>();
  /** Each stored item's size, computed once when it is written (query pages need them). */
  private readonly sizes = new WeakMap<Item, number>();
  /** Every operation applied, for the differential test. */
  readonly log: OpRecord[] = [];
  recording = false;
  /** Limit violations (sizes, counts): in AWS the write fails; the simulation also reports them. */
  readonly violations: LimitViolation[] = [];
  /** Told of every item written (the oracle notes when a case became protected). */
  onWrite: (item: Item) => void = () => {};

  constructor(readonly tableName: string) {}

  /** A partition's items in sort-key order (UTF-8 bytes), kept until the partition changes. */
  private readonly sorted = new Map<string, Item[]>();
  private sortedPartition(pk: string): Item[] {
    let items = this.sorted.get(pk);
    if (!items) {
      const keyed = [...(this.items.get(pk)?.values() ?? [])].map((item) => ({
        item,
        key: utf8SortKey(String(item.sk)),
      }));
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      items = keyed.map((k) => k.item);
      this.sorted.set(pk, items);
    }
    return items;
  }

  /**
   * Stores an item (already a copy: every input is cloned on the way in) deep-frozen, so reads can
   * hand it out as it is: code that tried to change what it read would throw here, where DynamoDB
   * would have given it a copy.
   */
  private set(key: Key, item: Item, size = itemSize(item)) {
    deepFreeze(item);
    this.remove(key);
    this.sorted.delete(key.pk);
    let p = this.items.get(key.pk);
    if (!p) {
      p = new Map();
      this.items.set(key.pk, p);
    }
    p.set(key.sk, item);
    this.sizes.set(item, size);
    if (typeof item.gsi1pk === 'string' && typeof item.gsi1sk === 'string') {
      const entries = this.due.get(item.gsi1pk) ?? new Set();
      entries.add(item);
      this.due.set(item.gsi1pk, entries);
    }
  }
  private remove(key: Key) {
    const before = this.items.get(key.pk)?.get(key.sk);
    if (!before) return;
    this.sorted.delete(key.pk);
    this.items.get(key.pk)?.delete(key.sk);
    if (typeof before.gsi1pk === 'string') this.due.get(before.gsi1pk)?.delete(before);
  }
  /** The days (gsi1pk without its prefix) that have something due. */
  dueDays(): string[] {
    return [...this.due.entries()]
      .filter(([, items]) => items.size > 0)
      .map(([pk]) => pk.slice(4))
      .sort();
  }
  get(key: Key): Item | undefined {
    const item = this.items.get(key.pk)?.get(key.sk);
    return item;
  }
  /** Every item (the oracle reads the whole table). */
  all(): Item[] {
    return [...this.items.values()].flatMap((p) => [...p.values()]);
  }

  /** One partition's items (the oracle reads a case's outbox without copying the table). */
  partition(pk: string): Item[] {
    return [...(this.items.get(pk)?.values() ?? [])];
  }

  private checkKey(key: unknown, command: string): Key {
    const k = key as Partial<Key> | undefined;
    if (typeof k?.pk !== 'string' || typeof k.sk !== 'string' || k.pk === '' || k.sk === '')
      throw new ValidationError(
        'One or more parameter values were invalid: the key must be two non-empty strings',
      );
    if (Buffer.byteLength(k.pk) > 2048 || Buffer.byteLength(k.sk) > 1024) {
      const message = `One or more parameter values were invalid: key too long (pk ${Buffer.byteLength(k.pk)} bytes, sk ${Buffer.byteLength(k.sk)} bytes)`;
      this.violations.push({ command, message });
      throw new ValidationError(message);
    }
    return { pk: k.pk, sk: k.sk };
  }

  private checkItem(item: Item, command: string) {
    const size = itemSize(item);
    if (size > MAX_ITEM_BYTES) {
      const message = `Item size has exceeded the maximum allowed size (${size} bytes)`;
      this.violations.push({ command, message });
      throw new ValidationError(message);
    }
    for (const k of ['gsi1pk', 'gsi1sk'])
      if (k in item && (typeof item[k] !== 'string' || item[k] === ''))
        throw new ValidationError(
          `One or more parameter values are not valid. A value specified for a secondary index key is not supported: ${k}`,
        );
    return size;
  }

  private condition(item: Item | undefined, input: Record<string, unknown>): boolean {
    const ctx = context(input.ExpressionAttributeNames as never, input.ExpressionAttributeValues as never);
    const ok = input.ConditionExpression
      ? parseCondition(input.ConditionExpression as string, ctx)(item)
      : true;
    checkAllUsed(ctx);
    return ok;
  }

  /** One DocumentClient command, applied now (the world decides when), recorded when recording. */
  execute(command: { constructor: { name: string }; input: Record<string, unknown> }): unknown {
    const name = command.constructor.name;
    const input = clean(command.input);
    try {
      const result = this.apply(name, input);
      if (this.recording) this.log.push({ command: name, input, outcome: { ok: clean(result) } });
      return result;
    } catch (error) {
      if (this.recording) {
        const e = error as TransactionCanceledException;
        this.log.push({
          command: name,
          input,
          outcome: {
            error: e.name,
            ...(e.CancellationReasons ? { reasons: e.CancellationReasons.map((r) => r.Code ?? 'None') } : {}),
          },
        });
      }
      throw error;
    }
  }

  /** Applies one command to the table, synchronously (the world decides when). */
  apply(name: string, input: Record<string, unknown>): unknown {
    switch (name) {
      case 'GetCommand': {
        const item = this.get(this.checkKey(input.Key, name));
        if (input.ProjectionExpression) {
          const ctx = context(input.ExpressionAttributeNames as never);
          const fields = (input.ProjectionExpression as string).split(',').map((f) => {
            const n = f.trim();
            return n.startsWith('#') ? (ctx.names[n] as string) : n;
          });
          return {
            Item: item
              ? Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]]))
              : undefined,
          };
        }
        return { Item: item };
      }
      case 'PutCommand': {
        const item = input.Item as Item;
        const key = this.checkKey(item, name);
        const size = this.checkItem(item, name);
        if (!this.condition(this.get(key), input))
          throw new ConditionalCheckFailedException({
            message: 'The conditional request failed',
            $metadata: {},
          });
        this.set(key, item, size);
        this.onWrite(item);
        return {};
      }
      case 'DeleteCommand': {
        const key = this.checkKey(input.Key, name);
        if (!this.condition(this.get(key), input))
          throw new ConditionalCheckFailedException({
            message: 'The conditional request failed',
            $metadata: {},
          });
        this.remove(key);
        return {};
      }
      case 'UpdateCommand': {
        const key = this.checkKey(input.Key, name);
        const before = this.get(key);
        const ctx = context(
          input.ExpressionAttributeNames as never,
          input.ExpressionAttributeValues as never,
        );
        const ok = input.ConditionExpression
          ? parseCondition(input.ConditionExpression as string, ctx)(before)
          : true;
        const update = parseUpdate(input.UpdateExpression as string, ctx);
        checkAllUsed(ctx);
        if (!ok)
          throw new ConditionalCheckFailedException({
            message: 'The conditional request failed',
            $metadata: {},
          });
        const after = update({ ...(before ?? {}), ...key });
        this.set(key, after, this.checkItem(after, name));
        this.onWrite(after);
        return {};
      }
      case 'QueryCommand':
        return this.query(input);
      case 'TransactWriteCommand':
        return this.transact(input);
      default:
        throw new Error(`the simulated DynamoDB does not know ${name}`);
    }
  }

  /** A partition's items the key condition matches (all of them for `pk = :pk`, the case's load). */
  private partitionMatching(input: Record<string, unknown>, matches: (i: Item) => boolean): Item[] {
    const items = this.sortedPartition(String((input.ExpressionAttributeValues as Item)[':pk'] ?? ''));
    return input.KeyConditionExpression === 'pk = :pk' ? items : items.filter((i) => matches(i));
  }

  private query(input: Record<string, unknown>) {
    const ctx = context(input.ExpressionAttributeNames as never, input.ExpressionAttributeValues as never);
    const matches = parseCondition(input.KeyConditionExpression as string, ctx);
    checkAllUsed(ctx);
    const index = input.IndexName as string | undefined;
    if (index && index !== 'due')
      throw new ValidationError(`The table does not have the specified index: ${index}`);
    if (index && input.ConsistentRead)
      throw new ValidationError('Consistent reads are not supported on global secondary indexes');
    const range = index ? 'gsi1sk' : 'sk';
    const byBytes = (a: Item, b: Item) =>
      utf8Order(String(a[range]), String(b[range])) ||
      (index ? utf8Order(String(a.pk), String(b.pk)) || utf8Order(String(a.sk), String(b.sk)) : 0);
    const candidates = index
      ? [...this.due.values()]
          .flatMap((items) => [...items])
          .filter((i) => matches(i))
          .sort(byBytes)
      : this.partitionMatching(input, matches);
    // Pages of at most 1 MB, resuming after ExclusiveStartKey.
    const start = input.ExclusiveStartKey as Item | undefined;
    let from = 0;
    if (start) {
      const at = candidates.findIndex((i) => i.pk === start.pk && i.sk === start.sk);
      from = at + 1;
    }
    const page: Item[] = [];
    let bytes = 0;
    let i = from;
    for (; i < candidates.length; i++) {
      const item = candidates[i] as Item;
      bytes += this.sizes.get(item) ?? itemSize(item);
      page.push(item);
      if (bytes >= PAGE_BYTES) {
        i++;
        break;
      }
    }
    const last = page.at(-1);
    const more = i < candidates.length && last;
    return {
      Items: page,
      Count: page.length,
      ...(more
        ? {
            LastEvaluatedKey: index
              ? { pk: last.pk, sk: last.sk, gsi1pk: last.gsi1pk, gsi1sk: last.gsi1sk }
              : { pk: last.pk, sk: last.sk },
          }
        : {}),
    };
  }

  private transact(input: Record<string, unknown>) {
    const actions = input.TransactItems as Record<string, Record<string, unknown>>[];
    if (actions.length > MAX_TRANSACTION_ACTIONS) {
      const message = `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TRANSACTION_ACTIONS} (${actions.length})`;
      this.violations.push({ command: 'TransactWriteCommand', message });
      throw new ValidationError(message);
    }
    const keys = new Set<string>();
    let total = 0;
    const plan = actions.map((a) => {
      const [kind, body] = Object.entries(a)[0] as [string, Record<string, unknown>];
      const key = this.checkKey(kind === 'Put' ? body.Item : body.Key, 'TransactWriteCommand');
      const id = `${key.pk}\u0000${key.sk}`;
      if (keys.has(id))
        throw new ValidationError('Transaction request cannot include multiple operations on one item');
      keys.add(id);
      const size = kind === 'Put' ? this.checkItem(body.Item as Item, 'TransactWriteCommand') : 0;
      total += size;
      return { kind, body, key, size };
    });
    if (total > MAX_TRANSACTION_BYTES) {
      const message = `Transaction size exceeds the 4 MB limit (${total} bytes)`;
      this.violations.push({ command: 'TransactWriteCommand', message });
      throw new ValidationError(message);
    }
    // Every condition is judged on the table as it is before any action: all or nothing.
    const reasons = plan.map(({ kind, body, key }) => {
      const before = this.get(key);
      if (kind === 'Update') {
        const ctx = context(body.ExpressionAttributeNames as never, body.ExpressionAttributeValues as never);
        const ok = body.ConditionExpression
          ? parseCondition(body.ConditionExpression as string, ctx)(before)
          : true;
        parseUpdate(body.UpdateExpression as string, ctx);
        checkAllUsed(ctx);
        return ok
          ? { Code: 'None' }
          : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
      }
      const ok = this.condition(before, body);
      if (ok) return { Code: 'None' };
      return {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        ...(body.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && before
          ? { Item: marshall(before) }
          : {}),
      };
    });
    if (reasons.some((r) => r.Code !== 'None')) {
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        $metadata: {},
        CancellationReasons: reasons as never,
      });
    }
    for (const { kind, body, key, size } of plan) {
      if (kind === 'Put') {
        this.set(key, body.Item as Item, size);
        this.onWrite(body.Item as Item);
      } else if (kind === 'Delete') this.remove(key);
      else if (kind === 'Update') {
        const ctx = context(body.ExpressionAttributeNames as never, body.ExpressionAttributeValues as never);
        const after = parseUpdate(body.UpdateExpression as string, ctx)({ ...(this.get(key) ?? {}), ...key });
        this.set(key, after);
      } else if (kind !== 'ConditionCheck') throw new Error(`the simulated DynamoDB does not know ${kind}`);
    }
    return {};
  }
}
