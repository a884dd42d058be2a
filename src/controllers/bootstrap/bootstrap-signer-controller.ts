// bootstrapsigner (off by default, as upstream): signs the `kubeconfig` of the cluster-info
// ConfigMap in kube-public with every unexpired signing bootstrap token, as detached HS256
// JWS values under jws-kubeconfig-<token-id>, so joining nodes can trust it.
import { createHmac } from 'node:crypto';
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, SECRETS, isNotFound, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { parseToken } from './bootstrap-token.js';

export const NAME = 'bootstrapsigner';
const PREFIX = 'jws-kubeconfig-';
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function detachedJWS(payload: string, tokenID: string, secret: string): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', kid: tokenID }));
  const sig = createHmac('sha256', secret).update(`${header}.${b64url(payload)}`).digest();
  return `${header}..${b64url(sig)}`;
}

export class BootstrapSigner implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly secrets: SharedInformer<Secret>;
  private readonly configmaps: SharedInformer<ConfigMap>;

  constructor(private readonly ctx: ControllerContext) {
    this.secrets = ctx.informers.forResource(SECRETS, { namespace: 'kube-system' });
    this.configmaps = ctx.informers.forResource(CONFIGMAPS, { namespace: 'kube-public', fieldSelector: 'metadata.name=cluster-info' });
    this.loop = new KeyedLoop(ctx, NAME, 1, () => this.sync());
    const kick = () => this.loop.add('cluster-info');
    this.secrets.addEventHandler({ onAdd: kick, onUpdate: kick, onDelete: kick });
    this.configmaps.addEventHandler({ onAdd: kick, onUpdate: kick });
  }

  run(signal: AbortSignal): Promise<void> { return this.loop.run(signal, [this.secrets, this.configmaps]); }

  private async sync(): Promise<SyncResult> {
    const cm = this.configmaps.lister.get('kube-public/cluster-info');
    const kubeconfig = cm?.data?.kubeconfig;
    if (!cm || kubeconfig === undefined) return;
    const now = Date.now();
    const data: Record<string, string> = Object.fromEntries(Object.entries(cm.data ?? {}).filter(([k]) => !k.startsWith(PREFIX)));
    for (const s of this.secrets.lister.list()) {
      const t = parseToken(s);
      if (!t?.signing || (t.expiration !== undefined && t.expiration <= now)) continue;
      data[`${PREFIX}${t.id}`] = detachedJWS(kubeconfig, t.id, t.secret);
    }
    if (JSON.stringify(Object.entries(data).sort()) === JSON.stringify(Object.entries(cm.data ?? {}).sort())) return;
    try {
      await this.ctx.client.resource(CONFIGMAPS).update('kube-public', { ...cm, data });
    } catch (err) { if (!isNotFound(err)) throw err; }
  }
}

export const newBootstrapSigner = (ctx: ControllerContext): Controller => new BootstrapSigner(ctx);
