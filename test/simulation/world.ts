/**
 * The deterministic world the real code runs in: a virtual clock, an agenda of what happens next,
 * and one gate every simulated call to AWS passes through, where its latency, its fault and a
 * crash of its caller are decided. Every decision is read from a choice tape (a list of numbers
 * fast-check generates and shrinks); past its end every choice is 0, the calm one: no fault,
 * shortest delay, first in line. So a failing schedule replays exactly from its tape, and
 * shrinking the tape calms the schedule down to the few choices that matter.
 *
 * The code under test never sees a real timer: after each agenda step the handlers' promise
 * chains run on to their next simulated call before the next step. The world waits for that with
 * one `process.nextTick`: Node runs it only once the microtask queue is empty, that is once every
 * chain has reached a simulated call (or ended). Going round the event loop (setImmediate) each
 * step cost a tenth of the simulation's time, and a fixed number of promise hops allocated a
 * quarter of its memory. `verifyDrain` checks that nothing more happens after that, on a timer or
 * I/O, which would make a run depend on the machine (test/simulation/platform.test.ts).
 */

export class ChoiceTape {
  private i = 0;
  constructor(private readonly values: readonly number[]) {}
  /** 0 … n-1; 0 when the tape is used up. */
  choose(n: number): number {
    if (n <= 1) return 0;
    const v = this.values[this.i++];
    return v === undefined ? 0 : v % n;
  }
  /** True with probability `permille`/1000 while the tape lasts; false after. */
  chance(permille: number): boolean {
    if (permille <= 0) return false;
    return this.choose(1000) >= 1000 - permille;
  }
  get used(): number {
    return this.i;
  }
}

interface Task {
  at: number;
  seq: number;
  run: () => void;
}

/** A binary heap of tasks by (at, seq). */
class Agenda {
  private heap: Task[] = [];
  get size() {
    return this.heap.length;
  }
  push(t: Task) {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i] as Task, h[p] as Task)) break;
      [h[i], h[p]] = [h[p] as Task, h[i] as Task];
      i = p;
    }
  }
  pop(): Task | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l] as Task, h[m] as Task)) m = l;
        if (r < h.length && less(h[r] as Task, h[m] as Task)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as Task, h[i] as Task];
        i = m;
      }
    }
    return top;
  }
  peek(): Task | undefined {
    return this.heap[0];
  }
}
const less = (a: Task, b: Task) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** A Lambda invocation (or the sweep's run): its calls die with it. */
export interface Caller {
  dead: boolean;
  /** The invocation died at this call (a crash): its messages come back after the visibility timeout. */
  kill(): void;
}

export interface FaultProfile {
  /** Per mille of calls that fail before reaching the service (throttled, 5xx, network). */
  failBefore: number;
  /** Per mille of calls applied by the service whose answer is lost (timeout after it took effect). */
  failAfter: number;
  /** Per mille of calls at which the caller's Lambda dies. */
  crash: number;
  /** Per mille of calls that take seconds instead of milliseconds (past a Lambda timeout, sometimes). */
  slow: number;
  /** The longest ordinary latency, ms (default 20): long ones make concurrent work overlap more. */
  latencyMs?: number;
}

export const CALM: FaultProfile = { failBefore: 0, failAfter: 0, crash: 0, slow: 0 };

export class World {
  now: number;
  private seq = 0;
  private readonly agenda = new Agenda();
  faults: FaultProfile = CALM;
  /** Calls made, per kind (for figures). */
  readonly calls = new Map<string, number>();
  steps = 0;
  /** After each step, go round the event loop too and fail if anything more happened. */
  verifyDrain = false;

  constructor(
    start: number,
    readonly tape: ChoiceTape,
  ) {
    this.now = start;
  }

  at(time: number, run: () => void) {
    this.agenda.push({ at: Math.max(time, this.now), seq: this.seq++, run });
  }
  after(delayMs: number, run: () => void) {
    this.at(this.now + delayMs, run);
  }
  get nextAt(): number | undefined {
    return this.agenda.peek()?.at;
  }
  get pending(): number {
    return this.agenda.size;
  }

  /**
   * One call to a simulated service by `caller`. `apply` is the service acting on the request; it
   * runs when the request arrives. The answer comes back (or does not) as the tape decides.
   */
  call<T>(
    caller: Caller | undefined,
    kind: string,
    apply: () => T,
    errors: { before: () => Error; after: () => Error },
  ): Promise<T> {
    this.calls.set(kind, (this.calls.get(kind) ?? 0) + 1);
    const f = this.faults;
    const slow = this.tape.chance(f.slow);
    const latency = slow ? 1_000 + this.tape.choose(14) * 1_000 : 1 + this.tape.choose(f.latencyMs ?? 20);
    return new Promise<T>((resolve, reject) => {
      this.after(latency, () => {
        if (caller?.dead) {
          // The request was on the wire when its Lambda died: it may still take effect.
          if (this.tape.chance(500)) {
            try {
              apply();
            } catch {}
          }
          return;
        }
        if (this.tape.chance(f.failBefore)) {
          if (caller && this.tape.chance(f.crash)) caller.kill();
          else reject(errors.before());
          return;
        }
        let result: T;
        try {
          result = apply();
        } catch (error) {
          if (caller && this.tape.chance(f.crash)) caller.kill();
          else reject(error);
          return;
        }
        if (caller && this.tape.chance(f.crash)) {
          caller.kill(); // applied; the Lambda died before it heard
          return;
        }
        if (this.tape.chance(f.failAfter)) reject(errors.after());
        else resolve(result);
      });
    });
  }

  /** Runs the agenda until `stop` says so or nothing is left; the code under test runs between steps. */
  async run(stop: () => boolean, maxSteps = 2_000_000): Promise<void> {
    while (!stop()) {
      const task = this.agenda.pop();
      if (!task) return;
      this.now = Math.max(this.now, task.at);
      task.run();
      this.steps++;
      if (this.steps > maxSteps)
        throw new Error(
          `the simulation ran past ${maxSteps} steps: it stopped making progress (something retried for ever?)`,
        );
      await drain();
      if (this.verifyDrain) {
        const seq = this.seq;
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.seq !== seq)
          throw new Error(
            `the code under test went on after step ${this.steps} once its promises had settled (a real timer or I/O?): a run would depend on the machine`,
          );
      }
    }
  }
}

/** Lets the handlers' promise chains run on to their next simulated call: resolves once no microtask is left. */
const drain = () => new Promise<void>((resolve) => process.nextTick(resolve));
