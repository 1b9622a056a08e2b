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
