/** The simulated platform's TextEncoder (test/simulation/env.ts) gives Node's bytes for every character. */
import * as fc from 'fast-check';
import { expect, it } from 'vitest';
import { encodeShort } from './env.ts';
import { TextEncoder as NodeTextEncoder } from 'node:util';

// node:util's TextEncoder is Node's own (env.ts replaces only the global).
const node = new NodeTextEncoder();

it('one character or surrogate pair: the same bytes as Node’s encoder, lone surrogates included', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }), (s) => {
      const ours = encodeShort(s);
      if (ours) expect([...ours]).toEqual([...node.encode(s)]);
    }),
    { numRuns: 20_000 },
  );
  for (const s of ['a', 'å', '€', '😀', '\ud800', '\udc00', '\u07ff', '\u0800', '\uffff'])
    expect([...(encodeShort(s) ?? [])]).toEqual([...node.encode(s)]);
});
