/**
 * The environment the simulated Lambdas see, set before any handler module is loaded: metrics on
 * (the oracle reads the alarm metrics from stdout, as CloudWatch would read EMF), logs at INFO.
 */
process.env.POWERTOOLS_SERVICE_NAME = 'sip';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'Sip';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_DEV = 'false';
process.env.AWS_REGION ??= 'eu-north-1';
// Powertools reads its settings from process.env on every log line and metric; Node's process.env
// is a slow native object. The simulated platform hands the Lambdas a plain copy (same values).
process.env = { ...process.env };
// The simulated AWS answers with the SDK's own exception classes (a failed condition, a cancelled
// transaction, an injected fault): thousands per run, each capturing a stack trace no one reads
// (nothing logs or checks a stack: loggableError keeps the name and message). Not captured.
Error.stackTraceLimit = 0;
export {};

/**
 * ical-generator 10 folds each calendar line by calling `new TextEncoder().encode(c)` for every
 * character, to count its UTF-8 bytes (fixed in 11.x, which needs Node 22): a tenth of the
 * simulation's time. The simulated platform encodes one character (or one surrogate pair) without
 * the native call; the bytes are the same (test/simulation/platform.test.ts). Production keeps
 * Node's own encoder.
 */
const NativeTextEncoder = globalThis.TextEncoder;
const native = new NativeTextEncoder();
/** One shared array per ASCII character: ical-generator reads only the length. */
const ascii = Array.from({ length: 0x80 }, (_, c) => Uint8Array.of(c));
export const encodeShort = (input: string): Uint8Array | undefined => {
  if (input.length === 1) {
    const c = input.charCodeAt(0);
    if (c < 0x80) return ascii[c];
    if (c < 0x800) return Uint8Array.of(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    if (c >= 0xd800 && c <= 0xdfff) return Uint8Array.of(0xef, 0xbf, 0xbd); // a lone surrogate
    return Uint8Array.of(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  if (input.length === 2) {
    const hi = input.charCodeAt(0);
    const lo = input.charCodeAt(1);
    if (hi < 0xd800 || hi > 0xdbff || lo < 0xdc00 || lo > 0xdfff) return undefined;
    const c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
    return Uint8Array.of(
      0xf0 | (c >> 18),
      0x80 | ((c >> 12) & 0x3f),
      0x80 | ((c >> 6) & 0x3f),
      0x80 | (c & 0x3f),
    );
  }
  return undefined;
};
class SimTextEncoder {
  readonly encoding = 'utf-8';
  encode(input = ''): Uint8Array {
    return encodeShort(input) ?? native.encode(input);
  }
  encodeInto(source: string, destination: Uint8Array) {
    return native.encodeInto(source, destination);
  }
}
globalThis.TextEncoder = SimTextEncoder as unknown as typeof TextEncoder;
