// After a burst of requests V8 keeps the heap it grew to (a young generation at full size,
// an old space holding the burst's dead request objects) until allocation drives the next
// collection, which a server gone quiet never reaches: tskube etcd sat at about twice
// etcd's RSS after a load. So once the server has been quiet for a whole interval after
// enough writes, it runs one full collection, off the critical path of any request, which
// shrinks the young generation and hands the old space's emptied pages back.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (opts?: { type: 'major'; execution: 'async' }) => Promise<void> | void;

let gcFunction: GcFunction | undefined;

function collect(): Promise<void> | void {
  if (!gcFunction) {
    const exposed = (globalThis as { gc?: GcFunction }).gc;
    if (exposed) gcFunction = exposed;
    else {
      // exposes `gc` to contexts created from now on, without a command-line flag
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as GcFunction;
    }
  }
  return gcFunction({ type: 'major', execution: 'async' });
}

export class IdleGc {
  private writes = 0;
  private active = false;
  private timer?: NodeJS.Timeout;

  /** `quietMs`: how long without writes counts as quiet; `minWrites`: what counts as a burst */
  constructor(
    private readonly quietMs = 2000,
    private readonly minWrites = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.quietMs);
    this.timer.unref();
  }

  /** called for each committed batch of `n` backend writes */
  wrote(n: number): void {
    this.writes += n;
    this.active = true;
  }

  private tick(): void {
    if (this.active) {
      this.active = false;
      return;
    }
    if (this.writes < this.minWrites) return;
    this.writes = 0;
    void Promise.resolve(collect()).catch(() => {});
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
