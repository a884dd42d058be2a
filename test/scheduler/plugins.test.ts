// Each filter and score plugin's effect, end to end: nodes created through the API, one
// scheduler process, pods bound (or left Pending with the plugin's reason). Every test
// uses its own pool of nodes (label pool=NAME) so the tests do not disturb each other.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createNode, createPod, eventually, events, getPod, nodeObject, podObject, startEnv, waitBound, type Env } from './harness.js';

let env: Env;
before(async () => {
  env = await startEnv();
  await env.startScheduler(['--leader-elect=false']);
});
after(async () => { await env?.stop(); });

const inPool = (pool: string, spec: Record<string, any> = {}) => ({ ...spec, nodeSelector: { pool, ...(spec.nodeSelector ?? {}) } });
async function pool(name: string, nodes: Array<[string, Parameters<typeof nodeObject>[1]]>) {
  for (const [n, o] of nodes) await createNode(env.client, nodeObject(n, { ...o, labels: { pool: name, ...(o?.labels ?? {}) } }));
}
async function failure(name: string): Promise<string> {
  const ev = await eventually(async () => (await events(env.client, 'default', name)).find((e) => e.reason === 'FailedScheduling'), `FailedScheduling for ${name}`);
  return ev.message;
}

test('NodeUnschedulable and TaintToleration filters', async () => {
  await pool('taints', [['t-cordoned', { unschedulable: true }], ['t-gpu', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }], ['t-plain', {}]]);
  await createPod(env.client, podObject('t-any', { spec: inPool('taints') }));
  assert.equal(await waitBound(env.client, 't-any'), 't-plain');
  await createPod(env.client, podObject('t-gpu-user', { spec: inPool('taints', { nodeSelector: { 'kubernetes.io/hostname': 't-gpu' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }) }));
  assert.equal(await waitBound(env.client, 't-gpu-user'), 't-gpu');
  await createPod(env.client, podObject('t-stuck', { spec: inPool('taints', { nodeSelector: { 'kubernetes.io/hostname': 't-gpu' } }) }));
  assert.match(await failure('t-stuck'), /1 node\(s\) had untolerated taint \{dedicated: gpu\}/);
});

test('NodeAffinity (required In) and NodeResourcesFit filters', async () => {
  await pool('fit', [['f-small', { cpu: '1', labels: { disk: 'hdd' } }], ['f-large', { cpu: '8', labels: { disk: 'ssd' } }]]);
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }] } } };
  await createPod(env.client, podObject('f-hdd', { spec: inPool('fit', { affinity }) }));
  assert.equal(await waitBound(env.client, 'f-hdd'), 'f-small');
  await createPod(env.client, podObject('f-big', { cpu: '4', spec: inPool('fit') }));
  assert.equal(await waitBound(env.client, 'f-big'), 'f-large');
  await createPod(env.client, podObject('f-huge', { cpu: '6', spec: inPool('fit') }));
  assert.match(await failure('f-huge'), /2 Insufficient cpu/);
});

test('NodePorts: a taken hostPort keeps the second pod off the node', async () => {
  await pool('ports', [['p-only', {}]]);
  const withPort = (name: string) => ({ ...podObject(name, { spec: inPool('ports') }), spec: { ...inPool('ports'), containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80, hostPort: 8080 }] }] } });
  await createPod(env.client, withPort('p-first'));
  assert.equal(await waitBound(env.client, 'p-first'), 'p-only');
  await createPod(env.client, withPort('p-second'));
  assert.match(await failure('p-second'), /1 node\(s\) didn't have free ports for the requested pod ports/);
});

test('scores: PreferNoSchedule, preferred node affinity, LeastAllocated, ImageLocality', async () => {
  await pool('score', [['s-soft', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }], ['s-pref', { labels: { fast: 'yes' } }]]);
  const preferFast = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'fast', operator: 'Exists' }] } }] } };
  await createPod(env.client, podObject('s-1', { spec: inPool('score', { affinity: preferFast }) }));
  assert.equal(await waitBound(env.client, 's-1'), 's-pref');
  // Without preferences the PreferNoSchedule taint decides.
  await pool('score2', [['s2-soft', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }], ['s2-plain', {}]]);
  await createPod(env.client, podObject('s-2', { spec: inPool('score2') }));
  assert.equal(await waitBound(env.client, 's-2'), 's2-plain');
  // LeastAllocated: the emptier node wins.
  await pool('score3', [['s3-busy', { cpu: '4' }], ['s3-idle', { cpu: '4' }]]);
  await createPod(env.client, podObject('s3-filler', { cpu: '3', spec: inPool('score3', { nodeSelector: { 'kubernetes.io/hostname': 's3-busy' } }) }));
  await waitBound(env.client, 's3-filler');
  await createPod(env.client, podObject('s-3', { cpu: '500m', spec: inPool('score3') }));
  assert.equal(await waitBound(env.client, 's-3'), 's3-idle');
  // ImageLocality: the node that already has a large image wins.
  await pool('score4', [['s4-cold', {}], ['s4-warm', { images: [{ names: ['registry.local/big:1'], sizeBytes: 900 * 1024 * 1024 }] }]]);
  const img = podObject('s-4', { spec: inPool('score4') });
  img.spec.containers[0].image = 'registry.local/big:1';
  await createPod(env.client, img);
  assert.equal(await waitBound(env.client, 's-4'), 's4-warm');
  const ex = JSON.parse((await env.schedulers[0].get('/debug/explain?pod=default/s-4')).body);
  assert.equal(ex.scores[0].node, 's4-warm');
  assert.ok(ex.scores[0].plugins.ImageLocality.score > ex.scores[1].plugins.ImageLocality.score);
});

test('InterPodAffinity: anti-affinity across hostnames puts replicas on different nodes', async () => {
  await pool('anti', [['a-1', {}], ['a-2', {}], ['a-3', {}]]);
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'spread-me' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  for (let i = 0; i < 4; i++) await createPod(env.client, podObject(`a-web-${i}`, { labels: { app: 'spread-me' }, spec: inPool('anti', { affinity: anti }) }));
  const nodes = new Set<string>();
  const pending: string[] = [];
  await eventually(async () => {
    nodes.clear(); pending.length = 0;
    for (let i = 0; i < 4; i++) {
      const n = (await getPod(env.client, `a-web-${i}`)).spec.nodeName;
      if (n) nodes.add(n); else pending.push(`a-web-${i}`);
    }
    return nodes.size === 3;
  }, 'three replicas bound');
  assert.equal(pending.length, 1);
  // Existing pods' anti-affinity is checked first (as upstream), and it repels the newcomer too.
  assert.match(await failure(pending[0]), /3 node\(s\) didn't satisfy existing pods anti-affinity rules/);
  // Affinity: a pod that wants to be with replica 0 follows it.
  const first = (await getPod(env.client, 'a-web-0')).spec.nodeName;
  const near = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'spread-me' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  await createPod(env.client, podObject('a-sidecar', { spec: inPool('anti', { affinity: near, nodeSelector: { 'kubernetes.io/hostname': first } }) }));
  assert.equal(await waitBound(env.client, 'a-sidecar'), first);
});

test('PodTopologySpread: DoNotSchedule keeps zones within maxSkew', async () => {
  await pool('zones', [['z-a1', { labels: { 'topology.kubernetes.io/zone': 'za' } }], ['z-a2', { labels: { 'topology.kubernetes.io/zone': 'za' } }], ['z-b1', { labels: { 'topology.kubernetes.io/zone': 'zb' } }]]);
  const tsc = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'zoned' } } }];
  for (let i = 0; i < 4; i++) {
    await createPod(env.client, podObject(`z-${i}`, { labels: { app: 'zoned' }, spec: inPool('zones', { topologySpreadConstraints: tsc }) }));
    await waitBound(env.client, `z-${i}`);
  }
  const zoneOf = (n: string) => (n === 'z-b1' ? 'zb' : 'za');
  const counts: Record<string, number> = { za: 0, zb: 0 };
  for (let i = 0; i < 4; i++) counts[zoneOf((await getPod(env.client, `z-${i}`)).spec.nodeName)]++;
  assert.deepEqual(counts, { za: 2, zb: 2 });
});
