/**
 * An environment variable a handler cannot start without: fail fast at init with a clear message.
 * A module of its own (no zod, no county rules), so the stream functions' bundles stay small.
 */
export const requiredEnv = (name: string): string => {
  const value = process.env[name];
  if (!value)
    throw new Error(`environment variable ${name} is not set; the stack (lib/) or local runtime sets it`);
  return value;
};

/** An optional number of seconds (at least `min`): undefined when unset, a clear error when not a number. */
export const secondsEnv = (name: string, min = 0): number | undefined => {
  const value = process.env[name];
  if (value === undefined) return undefined;
  if (!(Number(value) >= min))
    throw new Error(`environment variable ${name} must be a number of seconds, not "${value}"`);
  return Number(value);
};
