/**
 * Work that takes turns by key: calls with the same key run one at a time, in the order they were
 * made; other keys run in parallel. A call takes its turn synchronously, before its first `await`,
 * so callers started in order keep their order. A call whose work fails does not hold back the
 * next one. Used by the consumers (one case's records of a batch) and the delivery store (one
 * case's told updates).
 */
export const keyedTurns = () => {
  const turns = new Map<string, Promise<void>>();
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const before = turns.get(key);
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chain = before ? before.then(() => mine) : mine;
    turns.set(key, chain);
    try {
      await before;
      return await work();
    } finally {
      release();
      if (turns.get(key) === chain) turns.delete(key);
    }
  };
};
