// Exponential backoff with jitter for reconnect loops (the reflector uses 800 ms doubling
// to 30 s), and an abortable sleep to wait it out.

export class Backoff {
  private next: number;

  constructor(readonly initialMs = 800, readonly maxMs = 30_000, readonly jitter = 0.2) {
    this.next = initialMs;
  }

  /** The delay to wait now; the following one doubles, up to the cap. */
  step(): number {
    const d = this.next;
    this.next = Math.min(this.maxMs, this.next * 2);
    return d * (1 + Math.random() * this.jitter);
  }

  reset(): void {
    this.next = this.initialMs;
  }
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export type Logger = (message: string) => void;
export const stderrLogger: Logger = (m) => { process.stderr.write(`${new Date().toISOString()} ${m}\n`); };
