// A tiny HTTPS client with the admin kubeconfig's CA and client certificate: just enough for
// `tskube up` to watch its cluster come up (readyz, nodes, kube-system pods) and to mark the
// control-plane node.
import https from 'node:https';
import { clientSecureContext } from '../../client/client-config.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';

export interface AdminClient {
  get(path: string): Promise<{ status: number; body: string }>;
  /** A merge patch (application/merge-patch+json). */
  patch(path: string, body: unknown): Promise<{ status: number; body: string }>;
}

export function adminClient(kubeconfigFile: string): AdminClient {
  const cfg = loadKubeconfig(kubeconfigFile);
  // `up` polls the API server every 100 ms while it starts: one TLS context for every connection
  const agent = new https.Agent({ secureContext: clientSecureContext(cfg), keepAlive: true, maxSockets: 2 });
  const call = (method: string, path: string, body?: unknown) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(`${cfg.server}${path}`, {
      method, agent, timeout: 5000, headers: data === undefined ? {} : { 'Content-Type': 'application/merge-patch+json', 'Content-Length': Buffer.byteLength(data) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
  return { get: (path) => call('GET', path), patch: (path, body) => call('PATCH', path, body) };
}

interface Condition { type?: string; status?: string }
interface NodeLike { metadata?: { name?: string }; status?: { conditions?: Condition[] } }
interface PodLike { metadata?: { name?: string }; status?: { phase?: string; conditions?: Condition[] } }

export async function readyNodes(c: AdminClient): Promise<Set<string>> {
  const r = await c.get('/api/v1/nodes');
  if (r.status !== 200) return new Set();
  const items = (JSON.parse(r.body) as { items?: NodeLike[] }).items ?? [];
  return new Set(items.filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).map((n) => n.metadata?.name ?? ''));
}

export async function runningPods(c: AdminClient, namespace: string): Promise<Set<string>> {
  const r = await c.get(`/api/v1/namespaces/${namespace}/pods`);
  if (r.status !== 200) return new Set();
  const items = (JSON.parse(r.body) as { items?: PodLike[] }).items ?? [];
  return new Set(items.filter((p) => p.status?.phase === 'Running').map((p) => p.metadata?.name ?? ''));
}

/**
 * kubeadm's mark-control-plane phase: the role labels are the admin's to set (NodeRestriction
 * refuses them from the kubelet, and the kubelet refuses them in --node-labels). True once done.
 */
export async function markControlPlane(c: AdminClient, node: string, labels: Record<string, string>): Promise<boolean> {
  const r = await c.patch(`/api/v1/nodes/${encodeURIComponent(node)}`, { metadata: { labels } });
  return r.status === 200;
}
