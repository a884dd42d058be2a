// root-ca-cert-publisher: the kube-root-ca.crt ConfigMap in every namespace, carrying the
// cluster CA (--root-ca-file, else the CA this manager trusts the API server with), put
// back whenever it is changed or deleted.
import fs from 'node:fs';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, NAMESPACES, deletedObject, isAlreadyExists, isNotFound, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';

export const NAME = 'root-ca-cert-publisher';
export const CONFIGMAP_NAME = 'kube-root-ca.crt';
const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export class RootCACertPublisher implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly configmaps: SharedInformer<ConfigMap>;

  constructor(private readonly ctx: ControllerContext, private readonly ca: string) {
    this.namespaces = ctx.informers.forResource(NAMESPACES);
    this.configmaps = ctx.informers.forResource(CONFIGMAPS, { fieldSelector: `metadata.name=${CONFIGMAP_NAME}` });
    this.loop = new KeyedLoop(ctx, NAME, 1, (k) => this.sync(k));
    this.namespaces.addEventHandler({ onAdd: (n) => this.loop.add(n.metadata!.name!), onUpdate: (_, n) => this.loop.add(n.metadata!.name!) });
    const cm = (c: ConfigMap) => this.loop.add(c.metadata!.namespace!);
    this.configmaps.addEventHandler({ onUpdate: (_, c) => cm(c), onDelete: (c) => cm(deletedObject(c)) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.namespaces, this.configmaps]);
  }

  private async sync(ns: string): Promise<SyncResult> {
    const n = this.namespaces.lister.get(ns);
    if (!n || n.metadata?.deletionTimestamp) return;
    const cms = this.ctx.client.resource(CONFIGMAPS);
    const cur = this.configmaps.lister.get(`${ns}/${CONFIGMAP_NAME}`);
    const data = { 'ca.crt': this.ca };
    const annotations = { 'kubernetes.io/description': DESCRIPTION };
    try {
      if (!cur) {
        await cms.create(ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIGMAP_NAME, namespace: ns, annotations }, data });
      } else if (cur.data?.['ca.crt'] !== this.ca || Object.keys(cur.data ?? {}).length !== 1 || cur.metadata?.annotations?.['kubernetes.io/description'] !== DESCRIPTION) {
        await cms.update(ns, { ...cur, metadata: { ...cur.metadata, annotations: { ...(cur.metadata?.annotations ?? {}), ...annotations } }, data });
      }
    } catch (err) {
      // A namespace being deleted refuses new objects; an already created one is fine.
      if (isAlreadyExists(err) || isNotFound(err) || (err as { code?: number }).code === 403) return;
      throw err;
    }
  }
}

export function newRootCACertPublisher(ctx: ControllerContext): Controller {
  const file = ctx.options.rootCAFile;
  const ca = file ? fs.readFileSync(file, 'utf8') : ctx.client.config.ca?.toString('utf8');
  if (!ca) throw new Error('root-ca-cert-publisher needs --root-ca-file (or a CA in the kubeconfig); not started');
  return new RootCACertPublisher(ctx, ca);
}
