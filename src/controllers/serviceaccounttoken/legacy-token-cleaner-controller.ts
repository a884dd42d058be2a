// legacy-serviceaccount-token-cleaner: a legacy token Secret nobody has used for
// --legacy-service-account-token-clean-up-period (by the API server's
// kubernetes.io/legacy-token-last-used label, else its age) and no pod mounts is first
// labelled kubernetes.io/legacy-token-invalid-since (the API server then refuses it), and
// deleted once it has been invalid for another period. Checked daily, as upstream.
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import { PODS, SECRETS, isNotFound, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { TOKEN_TYPE } from './serviceaccount-token-controller.js';

export const NAME = 'legacy-serviceaccount-token-cleaner';
export const LAST_USED = 'kubernetes.io/legacy-token-last-used';
export const INVALID_SINCE = 'kubernetes.io/legacy-token-invalid-since';
const DAY = 86_400_000;

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

export class LegacyTokenCleaner implements Controller {
  readonly name = NAME;
  private readonly secrets: SharedInformer<Secret>;
  private readonly pods: SharedInformer<Pod>;

  constructor(private readonly ctx: ControllerContext) {
    this.secrets = ctx.informers.forResource(SECRETS);
    this.pods = ctx.informers.forResource(PODS);
  }

  async run(signal: AbortSignal): Promise<void> {
    try { await Promise.all([this.secrets.waitForSync(signal), this.pods.waitForSync(signal)]); } catch { return; }
    while (!signal.aborted) {
      try { await this.pass(Date.now()); } catch (err) { this.ctx.log(`${NAME}: ${(err as Error).message}`); }
      await new Promise<void>((r) => { const t = setTimeout(r, DAY); signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });
    }
  }

  private async pass(now: number): Promise<void> {
    const period = this.ctx.options.legacyTokenCleanUpPeriodMs;
    const mounted = new Set(this.pods.lister.list().flatMap((p) => (p.spec?.volumes ?? []).filter((v) => v.secret?.secretName).map((v) => `${p.metadata!.namespace}/${v.secret!.secretName}`)));
    const client = this.ctx.client.resource(SECRETS);
    for (const s of this.secrets.lister.list()) {
      if (s.type !== TOKEN_TYPE || mounted.has(`${s.metadata!.namespace}/${s.metadata!.name}`)) continue;
      const labels = s.metadata?.labels ?? {};
      const invalid = labels[INVALID_SINCE];
      try {
        if (invalid) {
          if (Date.parse(invalid) + period <= now) await client.delete(s.metadata!.namespace!, s.metadata!.name!, { preconditions: { uid: s.metadata!.uid } });
          continue;
        }
        const lastUsed = labels[LAST_USED] ? Date.parse(labels[LAST_USED]) : Date.parse(s.metadata?.creationTimestamp ?? '');
        if (lastUsed + period <= now) {
          await client.patch(s.metadata!.namespace!, s.metadata!.name!, 'merge', { metadata: { labels: { [INVALID_SINCE]: day(now) }, resourceVersion: s.metadata!.resourceVersion } });
        }
      } catch (err) { if (!isNotFound(err)) this.ctx.log(`${NAME}: ${s.metadata!.namespace}/${s.metadata!.name}: ${(err as Error).message}`); }
    }
  }
}

export const newLegacyTokenCleaner = (ctx: ControllerContext): Controller => new LegacyTokenCleaner(ctx);
