// Applies add-on objects the way `kubeadm init phase addon` does, but idempotently: a
// server-side apply (PATCH application/apply-patch+yaml, fieldManager kubeadm, force) per
// object, so a second `tskube up` brings them back to what this install writes.
import https from 'node:https';
import { clientSecureContext } from '../../client/client-config.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';

export interface KubeObject { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown }

const PLURAL: Record<string, string> = {
  ServiceAccount: 'serviceaccounts', ConfigMap: 'configmaps', Service: 'services', DaemonSet: 'daemonsets', Deployment: 'deployments',
  ClusterRole: 'clusterroles', ClusterRoleBinding: 'clusterrolebindings', Role: 'roles', RoleBinding: 'rolebindings',
};

export function objectPath(o: KubeObject): string {
  const plural = PLURAL[o.kind];
  if (!plural) throw new Error(`no REST path known for kind ${o.kind}`);
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : '';
  return `${base}${ns}/${plural}/${o.metadata.name}`;
}

/** Applies objects over one connection (kept alive) with the kubeconfig's credentials; close() ends it. */
export function addonApplier(kubeconfigFile: string, connections = 1): { apply(o: KubeObject): Promise<void>; close(): void } {
  const cfg = loadKubeconfig(kubeconfigFile);
  // one TLS context for every connection of the retries while the API server starts
  const agent = new https.Agent({ secureContext: clientSecureContext(cfg), keepAlive: true, maxSockets: connections });
  const apply = async (o: KubeObject): Promise<void> => {
    const body = JSON.stringify(o);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(`${cfg.server}${objectPath(o)}?fieldManager=kubeadm&force=true`, {
        method: 'PATCH', agent, timeout: 15_000,
        headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json', 'content-length': Buffer.byteLength(body), ...(cfg.token ? { authorization: `Bearer ${cfg.token}` } : {}) },
      }, (res) => {
        let t = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { t += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
    if (status < 200 || status >= 300) {
      let msg = text;
      try { msg = (JSON.parse(text) as { message?: string }).message ?? text; } catch { /* not JSON */ }
      throw new Error(`applying ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}: ${status} ${msg}`);
    }
  };
  return { apply, close: () => agent.destroy() };
}

export async function applyObjects(kubeconfigFile: string, objects: KubeObject[]): Promise<void> {
  const applier = addonApplier(kubeconfigFile);
  try {
    for (const o of objects) await applier.apply(o);
  } finally {
    applier.close();
  }
}
