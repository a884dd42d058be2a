// The service account controller: every active namespace has a `default` ServiceAccount;
// deleting it brings it back.
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { NAMESPACES, SERVICEACCOUNTS, deletedObject, isAlreadyExists, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';

export const NAME = 'serviceaccount';
const MANAGED = ['default'];

export class ServiceAccountController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly accounts: SharedInformer<ServiceAccount>;

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.forResource(NAMESPACES);
    this.accounts = ctx.informers.forResource(SERVICEACCOUNTS);
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'serviceaccount'), (k) => this.sync(k));
    this.namespaces.addEventHandler({ onAdd: (n) => this.loop.add(n.metadata!.name!), onUpdate: (_, n) => this.loop.add(n.metadata!.name!) });
    this.accounts.addEventHandler({ onDelete: (sa) => { const s = deletedObject(sa); if (MANAGED.includes(s.metadata!.name!)) this.loop.add(s.metadata!.namespace!); } });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.namespaces, this.accounts]);
  }

  private async sync(ns: string): Promise<SyncResult> {
    const n = this.namespaces.lister.get(ns);
    if (!n || n.status?.phase !== 'Active' || n.metadata?.deletionTimestamp) return;
    for (const name of MANAGED) {
      if (this.accounts.lister.get(`${ns}/${name}`)) continue;
      try {
        await this.ctx.client.resource(SERVICEACCOUNTS).create(ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
  }
}

export const newServiceAccountController = (ctx: ControllerContext): Controller => new ServiceAccountController(ctx);
