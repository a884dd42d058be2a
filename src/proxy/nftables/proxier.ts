// The nftables proxier: renders the desired `ip kube-proxy` table and applies what changed
// since the last sync in one `nft -f` transaction. A failed sync, the first one and the
// periodic resync rewrite everything, after listing what the kernel holds.
import type { Proxier, SyncResult } from '../proxier.js';
import type { ServicePort } from '../service-port.js';
import type { Nft } from './nft.js';
import { NftRenderer, setupCommands, type NftOptions } from './render.js';
import { planSync, type Existing, type TableState } from './transaction.js';

/** Chains left stale are deleted once they have been unreferenced this long (upstream: 1 s). */
const STALE_DELAY_MS = 1000;

export class NftablesProxier implements Proxier {
  readonly name = 'nftables';
  private applied: TableState | undefined;
  private readonly stale = new Map<string, number>();
  private readonly renderer: NftRenderer;

  constructor(readonly nft: Nft, readonly opts: NftOptions) {
    this.renderer = new NftRenderer(opts);
  }

  forceFullSync(): void { this.applied = undefined; }

  async sync(ports: ServicePort[]): Promise<SyncResult> {
    const deleted = await this.deleteStaleChains();
    const t0 = performance.now();
    const full = this.applied === undefined;
    // on a full sync, list what the kernel holds; otherwise it is what earlier syncs wrote, plus chains awaiting deletion
    const existing: Existing = full ? await this.nft.existing() : { chains: new Set(this.stale.keys()), affinity: new Map() };
    const want = this.renderer.render(ports);
    const plan = planSync(this.applied, want, existing, setupCommands(this.opts));
    const t1 = performance.now();
    try {
      if (plan.text) await this.nft.apply(plan.text);
    } catch (e) {
      this.applied = undefined;
      throw e;
    }
    plan.commit();
    this.applied = plan.state;
    const now = Date.now();
    for (const c of plan.stale) this.stale.set(c, now);
    for (const c of this.stale.keys()) if (plan.state.chains.has(c)) this.stale.delete(c);
    return {
      full, written: plan.written, deleted: deleted + plan.stale.length, renderMs: t1 - t0, applyMs: performance.now() - t1,
      resyncAfterMs: this.stale.size ? STALE_DELAY_MS + 100 : undefined,
    };
  }

  /** Deletes chains that have been flushed and unreferenced long enough, in their own transaction. */
  private async deleteStaleChains(): Promise<number> {
    const due = [...this.stale].filter(([, at]) => Date.now() - at >= STALE_DELAY_MS).map(([c]) => c);
    if (due.length === 0) return 0;
    for (const c of due) this.stale.delete(c);
    try {
      await this.nft.apply(due.map((c) => `delete chain ip kube-proxy ${c}`).join('\n') + '\n');
      return due.length;
    } catch {
      // still there (e.g. referenced again): the next full sync lists and retries them
      return 0;
    }
  }
}
