// The iptables proxier: renders the desired chains and applies only what changed since the
// last sync in one iptables-restore; a failed or periodic sync rewrites everything.
import type { Proxier, SyncResult } from '../proxier.js';
import type { ServicePort } from '../service-port.js';
import type { Iptables } from './iptables.js';
import { render, type RenderOptions } from './render.js';
import { emptyWritten, restoreInput, type Written } from './restore-input.js';

export class IptablesProxier implements Proxier {
  readonly name = 'iptables';
  private written: Written = emptyWritten();
  private needFull = true;

  constructor(readonly ipt: Iptables, readonly opts: RenderOptions) {}

  /** Forces the next sync to rewrite every chain. */
  forceFullSync(): void { this.needFull = true; }

  async sync(ports: ServicePort[]): Promise<SyncResult> {
    const full = this.needFull;
    if (full) await this.ipt.ensureJumps();
    const existing = full ? await this.ipt.ownChains() : { nat: new Set(this.written.nat.keys()), filter: new Set(this.written.filter.keys()) };
    const t0 = performance.now();
    const plan = restoreInput(render(ports, this.opts), this.written, existing, full);
    const t1 = performance.now();
    try {
      if (plan.text) await this.ipt.restore(plan.text);
    } catch (e) {
      this.needFull = true;
      throw e;
    }
    this.written = plan.next;
    this.needFull = false;
    return { written: plan.changedChains, deleted: plan.deletedChains, renderMs: t1 - t0, applyMs: performance.now() - t1, full };
  }
}
