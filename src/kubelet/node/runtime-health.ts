// Whether the container runtime can run pods, as upstream's kubelet learns it: CRI Status()
// every 5 s; RuntimeReady and NetworkReady must both be true, and a runtime that has not
// answered for 30 s is down. The node's Ready condition carries the reason in upstream's
// words ("container runtime network not ready: NetworkReady=false reason:… message:…").
import type { Logger } from '../../client/index.js';
import type { Runtime, RuntimeCondition } from '../runtime/runtime-service.js';

export const RUNTIME_CHECK_MS = 5000;
const DOWN_AFTER_MS = 30_000;

const describe = (c: RuntimeCondition) => `${c.type}=${c.status} reason:${c.reason} message:${c.message}`;

export class RuntimeHealth {
  private lastOK = 0;
  private errors: string[] = ['container runtime status check may not have completed yet'];
  private timer?: NodeJS.Timeout;
  private lastLogged = '';

  constructor(private readonly runtime: Runtime, private readonly log: Logger, private readonly now = () => Date.now()) {}

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), RUNTIME_CHECK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<void> {
    if (!this.runtime.status) { this.lastOK = this.now(); this.errors = []; return; }
    const errs: string[] = [];
    try {
      const conds = await this.runtime.status();
      this.lastOK = this.now();
      const get = (t: string) => conds.find((c) => c.type === t);
      const rt = get('RuntimeReady');
      const net = get('NetworkReady');
      if (!rt?.status) errs.push(`container runtime not ready: ${rt ? describe(rt) : 'RuntimeReady missing'}`);
      if (!net?.status) errs.push(`container runtime network not ready: ${net ? describe(net) : 'NetworkReady missing'}`);
    } catch (err) {
      if (this.now() - this.lastOK > DOWN_AFTER_MS) errs.push('container runtime is down');
      else errs.push(...this.errors);
      const msg = `kubelet: container runtime status check failed: ${(err as Error).message}`;
      if (msg !== this.lastLogged) this.log(msg);
      this.lastLogged = msg;
    }
    this.errors = errs;
  }

  /** The network error alone (pods with their own network wait for it to clear). */
  networkError(): string | undefined {
    return this.errors.find((e) => e.startsWith('container runtime network not ready'));
  }

  /** The Ready condition's view: ready, or why not (one error, or "[a, b]" like Go's aggregate). */
  readiness(): { ready: boolean; notReadyMessage?: string } {
    if (!this.errors.length) return { ready: true };
    return { ready: false, notReadyMessage: this.errors.length === 1 ? this.errors[0] : `[${this.errors.join(', ')}]` };
  }
}
