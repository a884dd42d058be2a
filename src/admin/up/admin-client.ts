// A tiny HTTPS client with the admin kubeconfig's CA and client certificate: just enough for
// `tskube up` to watch its cluster come up (readyz, nodes, kube-system pods).
import https from 'node:https';
import { loadKubeconfig } from '../../client/kubeconfig.js';

export interface AdminClient { get(path: string): Promise<{ status: number; body: string }> }

export function adminClient(kubeconfigFile: string): AdminClient {
  const cfg = loadKubeconfig(kubeconfigFile);
  const agent = new https.Agent({ ca: cfg.ca, cert: cfg.clientCert, key: cfg.clientKey, keepAlive: true, maxSockets: 2 });
  return {
    get(path: string) {
      return new Promise((resolve, reject) => {
        const req = https.get(`${cfg.server}${path}`, { agent, timeout: 5000 }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => { body += d; });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
      });
    },
  };
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
