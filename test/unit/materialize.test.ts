/** What a commit writes (functions/core/materialize.ts): a record is rewritten only when its data changed. */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { same } from '../../functions/core/materialize.ts';

/** JSON with keys sorted: equal exactly when DynamoDB would store the same attributes. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

describe('same data (materialize)', () => {
  it('agrees with a JSON comparison of the stored attributes, for any records', () => {
    const record = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string({ maxLength: 4 }),
        fc.integer({ min: -3, max: 3 }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.option(tie('value'), { nil: undefined }), {
          maxKeys: 3,
        }),
      ),
    })).value;
    fc.assert(
      fc.property(record, record, (a, b) => {
        expect(same(a, b)).toBe(canonical(a) === canonical(b));
        expect(same(a, structuredClone(a))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('an attribute left undefined is no attribute; key order does not matter', () => {
    expect(same({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(same({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(same({ a: [1, { x: 'y' }] }, { a: [1, { x: 'z' }] })).toBe(false);
    expect(same({ a: 1 }, undefined)).toBe(false);
  });
});
