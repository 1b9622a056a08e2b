/**
 * Ids this system builds from other ids. Upstream ids may be 64 characters each, so a readable
 * join would overflow the contracts they travel in (a mail job's id, a notice id, a sweep event's
 * id): every derived id is a prefix and a 128-bit hash of its parts, whatever their length. A hash
 * also keeps what it is built from (an address, say) out of keys and logs.
 */
import { createHash } from 'node:crypto';

export const hashOf = (...parts: string[]): string => {
  const text = parts.join('\u0000');
  const known = hashes.get(text);
  if (known !== undefined) return known;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
  // Every fold derives the same ids again (what falls due, notices): remember the last few thousand.
  if (hashes.size >= 4096) hashes.clear();
  hashes.set(text, hash);
  return hash;
};
const hashes = new Map<string, string>();

/** `<prefix>.<32 hex>`: at most prefix + 33 characters, letters, digits and dots only. */
export const derivedId = (prefix: string, ...parts: string[]): string => `${prefix}.${hashOf(...parts)}`;
