// tokencleaner (off by default, as upstream): deletes bootstrap token Secrets whose
// expiration has passed, at the moment it passes.
import type { Secret } from 'kubernetes-types/core/v1.js';
import { SECRETS, isNotFound, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { parseToken } from '../bootstrap/bootstrap-token.js';

export const NAME = 'tokencleaner';

export class TokenCleaner implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly secrets: SharedInformer<Secret>;

  constructor(private readonly ctx: ControllerContext) {
    this.secrets = ctx.informers.forResource(SECRETS, { namespace: 'kube-system' });
    this.loop = new KeyedLoop(ctx, NAME, 1, (k) => this.sync(k));
    this.secrets.addEventHandler({ onAdd: (s) => this.loop.add(objectKey(s)), onUpdate: (_, s) => this.loop.add(objectKey(s)) });
  }

  run(signal: AbortSignal): Promise<void> { return this.loop.run(signal, [this.secrets]); }

  private async sync(key: string): Promise<SyncResult> {
    const s = this.secrets.lister.get(key);
    const t = s && parseToken(s);
    if (!t?.expiration) return;
    const left = t.expiration - Date.now();
    if (left > 0) return { requeueAfterMs: left + 10 };
    try {
      await this.ctx.client.resource(SECRETS).delete('kube-system', s!.metadata!.name!, { preconditions: { uid: s!.metadata!.uid } });
      this.ctx.log(`tokencleaner: deleted expired bootstrap token ${t.id}`);
    } catch (err) { if (!isNotFound(err)) throw err; }
  }
}

export const newTokenCleaner = (ctx: ControllerContext): Controller => new TokenCleaner(ctx);
