// The iptables proxier: renders the desired chains and applies only what changed since the
// last sync in one iptables-restore; a failed or periodic sync rewrites everything.
import type { Proxier, SyncResult } from '../proxier.js';
import type { ServicePort } from '../service-port.js';
import type { Iptables } from './iptables.js';
import { portRules, sharedChains, type PortRules, type RenderOptions } from './render.js';
import { emptyWritten, partialInput, restoreInput, type Written } from './restore-input.js';

export class IptablesProxier implements Proxier {
  readonly name = 'iptables';
  private written: Written = emptyWritten();
  private needFull = true;
  /** Each Service port's rules as of the last sync (port id → the memoized render). */
  private parts = new Map<string, PortRules>();

  constructor(readonly ipt: Iptables, readonly opts: RenderOptions) {}

  /** Forces the next sync to rewrite every chain. */
  forceFullSync(): void { this.needFull = true; }

  async sync(ports: ServicePort[]): Promise<SyncResult> {
    const full = this.needFull;
    if (full) await this.ipt.ensureJumps();
    const existing = full ? await this.ipt.ownChains() : undefined;
    const t0 = performance.now();
    const parts = new Map<string, PortRules>();
    for (const sp of ports) parts.set(`${sp.key}/${sp.protocol}`, portRules(sp, this.opts));
    const shared = sharedChains([...parts.values()], this.opts);
    let text: string;
    let commit: () => void;
    let changed: number;
    let deleted: number;
    if (full) {
      for (const pr of parts.values()) for (const [table, chain, rules] of pr.own) shared[table].set(chain, rules);
      const plan = restoreInput(shared, this.written, existing, true);
      ({ text, changedChains: changed, deletedChains: deleted } = plan);
      commit = () => { this.written = plan.next; };
    } else {
      // only the shared chains and the chains of Service ports that changed are looked at
      const plan = partialInput(this.written, this.parts, parts, shared);
      ({ text, changedChains: changed, deletedChains: deleted, commit } = plan);
    }
    const t1 = performance.now();
    try {
      if (text) await this.ipt.restore(text);
    } catch (e) {
      this.needFull = true;
      throw e;
    }
    commit();
    this.parts = parts;
    this.needFull = false;
    return { written: changed, deleted, renderMs: t1 - t0, applyMs: performance.now() - t1, full };
  }
}
