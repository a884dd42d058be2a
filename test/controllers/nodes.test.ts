// Node controllers and service endpoints end to end: podCIDRs from --cluster-cidr, a node
// whose (fake, test-only) kubelet stops reporting goes Unknown, gets tainted and loses its
// pods to a healthy node after their tolerationSeconds; Endpoints and EndpointSlices follow
// pod readiness.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEPLOYMENTS, ENDPOINTS, ENDPOINTSLICES, NODES, PODS, SERVICES } from '../../src/client/index.js';
import { type Env, startEnv, waitFor } from './harness.js';

const livePods = async (env: Env, sel: string) => (await env.client.resource(PODS).list('default', { labelSelector: sel })).items.filter((p) => !p.metadata?.deletionTimestamp);

describe('node controllers and endpoints', () => {
  let env: Env;
  before(async () => {
    env = await startEnv();
    await env.startScheduler();
    await env.startManager(['--leader-elect=false', '--allocate-node-cidrs', '--cluster-cidr=10.244.0.0/16', '--node-cidr-mask-size=24', '--service-cluster-ip-range=10.244.0.0/24',
      '--node-monitor-period=1s', '--node-monitor-grace-period=4s']);
    await env.kubelet.addNode('node-a');
  });
  after(async () => { await env?.stop(); });

  it('gives each node its own podCIDR, never in the service range', async () => {
    await env.kubelet.addNode('node-b');
    const [a, b] = await waitFor('podCIDRs', async () => {
      const ns = await Promise.all(['node-a', 'node-b'].map((n) => env.client.resource(NODES).get('', n)));
      return ns.every((n) => n.spec?.podCIDR) && ns;
    });
    assert.notEqual(a.spec!.podCIDR, b.spec!.podCIDR);
    for (const n of [a, b]) {
      assert.match(n.spec!.podCIDR!, /^10\.244\.\d+\.0\/24$/);
      assert.notEqual(n.spec!.podCIDR, '10.244.0.0/24');
      assert.deepEqual(n.spec!.podCIDRs, [n.spec!.podCIDR]);
    }
  });

  it('publishes ready pods in Endpoints and EndpointSlices', async () => {
    // node-b is cordoned for now so that every pod lands on node-a
    await env.k('cordon', 'node-b');
    await env.client.resource(DEPLOYMENTS).create('default', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: 3, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }],
          tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }] } },
      },
    });
    await env.client.resource(SERVICES).create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    const ep = await waitFor('3 ready addresses', async () => { const e = await env.client.resource(ENDPOINTS).get('default', 'web'); return e.subsets?.[0]?.addresses?.length === 3 && e; });
    assert.deepEqual(ep.subsets![0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.ok(ep.subsets![0].addresses!.every((a) => a.nodeName === 'node-a' && a.targetRef?.kind === 'Pod'));
    const slices = await waitFor('slice', async () => {
      const s = (await env.client.resource(ENDPOINTSLICES).list('default', { labelSelector: 'kubernetes.io/service-name=web' })).items;
      return s.length === 1 && s[0].endpoints?.length === 3 && s;
    });
    assert.equal(slices[0].metadata!.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.ok(slices[0].endpoints!.every((e) => e.conditions?.ready === true));
    assert.equal(slices[0].metadata!.ownerReferences![0].kind, 'Service');
    await env.k('uncordon', 'node-b');
  });

  it('a node that stops reporting goes Unknown, is tainted, and its pods move to a healthy node', async () => {
    const before = await livePods(env, 'app=web');
    assert.ok(before.every((p) => p.spec!.nodeName === 'node-a'));
    env.kubelet.kill('node-a');
    const node = await waitFor('node-a Unknown and tainted', async () => {
      const n = await env.client.resource(NODES).get('', 'node-a');
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'Unknown' && n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') && n;
    }, 30_000);
    const ready = node.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    assert.ok(node.spec!.taints!.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule'));
    // the pods of the dead node leave the ready endpoints
    await waitFor('no ready addresses on node-a', async () => {
      const e = await env.client.resource(ENDPOINTS).get('default', 'web');
      return !(e.subsets ?? []).some((s) => (s.addresses ?? []).some((a) => a.nodeName === 'node-a'));
    }, 30_000);
    // after tolerationSeconds they are evicted and replaced on node-b
    const moved = await waitFor('3 pods running on node-b', async () => {
      const live = await livePods(env, 'app=web');
      return live.length === 3 && live.every((p) => p.spec!.nodeName === 'node-b' && p.status?.phase === 'Running') && live;
    }, 60_000);
    assert.ok(moved.every((p) => !before.some((b) => b.metadata!.uid === p.metadata!.uid)));
    const old = await env.client.resource(PODS).get('default', before[0].metadata!.name!).catch(() => undefined);
    if (old) assert.ok(old.metadata!.deletionTimestamp, 'evicted pods are being deleted');
    await waitFor('3 ready addresses on node-b', async () => {
      const e = await env.client.resource(ENDPOINTS).get('default', 'web');
      const addrs = (e.subsets ?? []).flatMap((s) => s.addresses ?? []);
      return addrs.length === 3 && addrs.every((a) => a.nodeName === 'node-b');
    }, 60_000);
  });
});
