// The plugins' finer behaviour through the real API server, one scheduler process for all:
// NodeName (manual placement), NodeAffinity's operators and matchFields, the
// RequestedToCapacityRatio and BalancedAllocation scores, InterPodAffinity (required and
// preferred, existing pods' anti-affinity), PodTopologySpread (minDomains, ScheduleAnyway,
// nodeTaintsPolicy, default constraints) and PDB-aware preemption. Profiles that keep one
// score plugin make each score test that plugin's decision alone; each test uses its own
// node pool (label pool=NAME).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createNode, createPod, eventually, events, getPod, nodeObject, podObject, startEnv, waitBound, type Env, type SchedulerProc } from './harness.js';

const onlyScore = (name: string, plugin: string, args?: string) => `- schedulerName: ${name}
  plugins:
    score:
      disabled:
      - name: '*'
      enabled:
      - name: ${plugin}
        weight: 1
${args ?? ''}`;

const config = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: false
profiles:
- schedulerName: default-scheduler
${onlyScore('rtcr', 'NodeResourcesFit', `  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: RequestedToCapacityRatio
        resources:
        - name: cpu
          weight: 1
        requestedToCapacityRatio:
          shape:
          - utilization: 0
            score: 0
          - utilization: 100
            score: 10
`)}${onlyScore('only-balanced', 'NodeResourcesBalancedAllocation')}${onlyScore('only-ipa', 'InterPodAffinity')}${onlyScore('only-spread', 'PodTopologySpread')}`;

let env: Env;
let sched: SchedulerProc;
const pcs = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' };
before(async () => {
  env = await startEnv();
  sched = await env.startScheduler([], config);
  for (const [name, value] of [['low', 10], ['high', 1000]] as const) {
    await env.client.create(pcs, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value });
  }
});
after(async () => { await env?.stop(); });

const inPool = (pool: string, spec: Record<string, any> = {}) => ({ ...spec, nodeSelector: { pool, ...(spec.nodeSelector ?? {}) } });
async function pool(name: string, nodes: Array<[string, Parameters<typeof nodeObject>[1]]>) {
  for (const [n, o] of nodes) await createNode(env.client, nodeObject(n, { ...o, labels: { pool: name, ...(o?.labels ?? {}) } }));
}
/** The message of the pod's FailedScheduling event (the first one matching `want`, if given). */
async function failure(name: string, want?: RegExp): Promise<string> {
  const ev = await eventually(async () => (await events(env.client, 'default', name))
    .find((e) => e.reason === 'FailedScheduling' && (!want || want.test(e.message ?? ''))), `FailedScheduling for ${name}`);
  return ev.message;
}
async function explain(name: string): Promise<any> {
  return JSON.parse((await sched.get(`/debug/explain?pod=default/${name}`)).body);
}
const scoreOf = (ex: any, node: string, plugin: string) => ex.scores.find((s: any) => s.node === node)?.plugins[plugin]?.score;
const expr = (key: string, operator: string, values?: string[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }] } } } });

test('NodeName: a pod with spec.nodeName skips the scheduler, and its requests count on that node', async () => {
  await pool('nn', [['nn-1', { cpu: '1' }]]);
  await createPod(env.client, podObject('nn-manual', { cpu: '1', spec: { nodeName: 'nn-1' } }));
  await createPod(env.client, podObject('nn-next', { cpu: '1', spec: inPool('nn') }));
  // the first attempt can come before the scheduler's informer has the new node ("no nodes
  // available"); the node's arrival sends the pod back, and that attempt says why it does not fit
  assert.match(await failure('nn-next', /Insufficient/), /1 Insufficient cpu/);
  const manual = await getPod(env.client, 'nn-manual');
  assert.equal(manual.spec.nodeName, 'nn-1');
  assert.equal(manual.status.conditions, undefined, 'the scheduler wrote nothing about it');
  assert.deepEqual(await events(env.client, 'default', 'nn-manual'), []);
});

test('NodeAffinity: NotIn, Exists, DoesNotExist, Gt, Lt and matchFields', async () => {
  await pool('na', [['na-1', { labels: { gen: '3', disk: 'ssd', gpu: 'true' } }], ['na-2', { labels: { gen: '5', disk: 'hdd' } }], ['na-3', { labels: { gen: '8' } }]]);
  const cases: Array<[string, Record<string, any>, string]> = [
    ['na-notin', expr('disk', 'NotIn', ['ssd', 'hdd']), 'na-3'],
    ['na-exists', expr('gpu', 'Exists'), 'na-1'],
    ['na-gt', expr('gen', 'Gt', ['6']), 'na-3'],
    ['na-lt', expr('gen', 'Lt', ['4']), 'na-1'],
    ['na-fields', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['na-2'] }] }] } } } }, 'na-2'],
    ['na-fields-notin', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['na-1', 'na-2'] }] }] } } } }, 'na-3'],
    // Expressions of one term are ANDed: gen between 4 and 6, and no gpu label.
    ['na-and', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
      { key: 'gen', operator: 'Gt', values: ['4'] }, { key: 'gen', operator: 'Lt', values: ['6'] }, { key: 'gpu', operator: 'DoesNotExist' }] }] } } } }, 'na-2'],
  ];
  for (const [name, spec] of cases) await createPod(env.client, podObject(name, { spec: inPool('na', spec) }));
  for (const [name, , node] of cases) assert.equal(await waitBound(env.client, name), node, name);
  await createPod(env.client, podObject('na-none', { spec: inPool('na', expr('gen', 'Gt', ['100'])) }));
  assert.match(await failure('na-none'), /[1-9]\d* node\(s\) didn't match Pod's node affinity\/selector/);
  const ex = await explain('na-none');
  assert.deepEqual(ex.filter.filter((f: any) => f.node.startsWith('na-')).map((f: any) => [f.node, f.plugin]), [['na-1', 'NodeAffinity'], ['na-2', 'NodeAffinity'], ['na-3', 'NodeAffinity']]);
});

test('NodeResourcesFit RequestedToCapacityRatio: the shape scores utilization, packing pods', async () => {
  await pool('rt', [['rt-1', { cpu: '4' }], ['rt-2', { cpu: '4' }]]);
  await createPod(env.client, podObject('rt-filler', { cpu: '2', spec: { nodeName: 'rt-1' } }));
  await createPod(env.client, podObject('rt-pod', { cpu: '1', spec: inPool('rt', { schedulerName: 'rtcr' }) }));
  assert.equal(await waitBound(env.client, 'rt-pod'), 'rt-1');
  const ex = await explain('rt-pod');
  assert.equal(ex.profile, 'rtcr');
  // Shape {0: 0, 100: 10}: the score is the cpu utilization with the pod (75 % and 25 %).
  assert.deepEqual([scoreOf(ex, 'rt-1', 'NodeResourcesFit'), scoreOf(ex, 'rt-2', 'NodeResourcesFit')], [75, 25]);
});

test('NodeResourcesBalancedAllocation: the node whose cpu and memory end up evenly used wins', async () => {
  await pool('ba', [['ba-1', { cpu: '4', memory: '8Gi' }], ['ba-2', { cpu: '4', memory: '8Gi' }]]);
  await createPod(env.client, podObject('ba-filler', { cpu: '2', spec: { nodeName: 'ba-1' } }));
  // 4Gi of 8Gi memory: on ba-1 cpu is ~half used too; on ba-2 cpu is almost idle.
  await createPod(env.client, podObject('ba-pod', { memory: '4Gi', spec: inPool('ba', { schedulerName: 'only-balanced' }) }));
  assert.equal(await waitBound(env.client, 'ba-pod'), 'ba-1');
  const ex = await explain('ba-pod');
  const [b1, b2] = [scoreOf(ex, 'ba-1', 'NodeResourcesBalancedAllocation'), scoreOf(ex, 'ba-2', 'NodeResourcesBalancedAllocation')];
  assert.ok(b1 >= 99 && b2 === 76, `scores ${b1} / ${b2}`);
});

test('InterPodAffinity: required and preferred (anti-)affinity, and existing pods\' anti-affinity', async () => {
  await pool('ip', [['ip-1', {}], ['ip-2', {}], ['ip-3', {}]]);
  const host = 'kubernetes.io/hostname';
  await createPod(env.client, podObject('ip-magnet', { labels: { app: 'magnet' }, spec: { nodeName: 'ip-2' } }));
  // An existing pod that keeps role=intruder pods off its node.
  await createPod(env.client, podObject('ip-guard', { spec: { nodeName: 'ip-3', affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { role: 'intruder' } }, topologyKey: host }] } } } }));
  await waitBound(env.client, 'ip-guard');
  const term = (app: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey: host });
  await createPod(env.client, podObject('ip-required', { spec: inPool('ip', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('magnet')] } } }) }));
  assert.equal(await waitBound(env.client, 'ip-required'), 'ip-2');
  await createPod(env.client, podObject('ip-lonely', { spec: inPool('ip', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('nobody')] } } }) }));
  assert.match(await failure('ip-lonely'), /node\(s\) didn't match pod affinity rules/);

  await createPod(env.client, podObject('ip-attracted', { spec: inPool('ip', { schedulerName: 'only-ipa', affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term('magnet') }] } } }) }));
  assert.equal(await waitBound(env.client, 'ip-attracted'), 'ip-2');
  await createPod(env.client, podObject('ip-repelled', { spec: inPool('ip', { schedulerName: 'only-ipa', affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term('magnet') }] } } }) }));
  assert.notEqual(await waitBound(env.client, 'ip-repelled'), 'ip-2');
  const ex = await explain('ip-repelled');
  assert.ok(scoreOf(ex, 'ip-2', 'InterPodAffinity') < scoreOf(ex, 'ip-1', 'InterPodAffinity'));

  await createPod(env.client, podObject('ip-intruder', { labels: { role: 'intruder' }, spec: inPool('ip', { nodeSelector: { [host]: 'ip-3' } }) }));
  assert.match(await failure('ip-intruder'), /1 node\(s\) didn't satisfy existing pods anti-affinity rules/);
  await createPod(env.client, podObject('ip-intruder-2', { labels: { role: 'intruder' }, spec: inPool('ip') }));
  assert.notEqual(await waitBound(env.client, 'ip-intruder-2'), 'ip-3');
});

test('PodTopologySpread: minDomains counts missing domains as empty', async () => {
  const zone = 'topology.kubernetes.io/zone';
  await pool('md', [['md-1', { labels: { [zone]: 'md-a' } }], ['md-2', { labels: { [zone]: 'md-b' } }]]);
  const tsc = [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule', minDomains: 3, labelSelector: { matchLabels: { app: 'md' } } }];
  const nodes = [];
  for (let i = 0; i < 2; i++) {
    await createPod(env.client, podObject(`md-${i}`, { labels: { app: 'md' }, spec: inPool('md', { topologySpreadConstraints: tsc }) }));
    nodes.push(await waitBound(env.client, `md-${i}`));
  }
  assert.deepEqual(nodes.sort(), ['md-1', 'md-2']);
  // Two domains of the three wanted: the global minimum counts as 0, so no domain may hold 2.
  await createPod(env.client, podObject('md-2', { labels: { app: 'md' }, spec: inPool('md', { topologySpreadConstraints: tsc }) }));
  assert.match(await failure('md-2'), /2 node\(s\) didn't match pod topology spread constraints/);
});

test('PodTopologySpread: nodeTaintsPolicy Honor leaves tainted nodes\' domains out of the skew', async () => {
  const zone = 'topology.kubernetes.io/zone';
  await pool('nt', [['nt-a', { labels: { [zone]: 'nt-za' } }], ['nt-b', { labels: { [zone]: 'nt-zb' }, taints: [{ key: 'blocked', effect: 'NoSchedule' }] }]]);
  await createPod(env.client, podObject('nt-existing', { labels: { app: 'nt' }, spec: { nodeName: 'nt-a' } }));
  const tsc = (policy?: string) => [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule', nodeTaintsPolicy: policy, labelSelector: { matchLabels: { app: 'nt' } } }];
  // Ignore (the default): the tainted zone counts with 0 pods, so zone a is too full.
  await createPod(env.client, podObject('nt-ignore', { labels: { app: 'nt' }, spec: inPool('nt', { topologySpreadConstraints: tsc() }) }));
  const msg = await failure('nt-ignore');
  assert.match(msg, /1 node\(s\) didn't match pod topology spread constraints/);
  assert.match(msg, /1 node\(s\) had untolerated taint \{blocked: \}/);
  await createPod(env.client, podObject('nt-honor', { labels: { app: 'nt' }, spec: inPool('nt', { topologySpreadConstraints: tsc('Honor') }) }));
  assert.equal(await waitBound(env.client, 'nt-honor'), 'nt-a');
});

test('PodTopologySpread scores: ScheduleAnyway constraints and the default constraints of a Service\'s pods', async () => {
  const zone = 'topology.kubernetes.io/zone';
  await pool('sa', [['sa-1', { labels: { [zone]: 'sa-z1' } }], ['sa-2', { labels: { [zone]: 'sa-z2' } }]]);
  for (const n of ['sa-old-1', 'sa-old-2']) await createPod(env.client, podObject(n, { labels: { app: 'sa' }, spec: { nodeName: 'sa-1' } }));
  const tsc = [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'sa' } } }];
  await createPod(env.client, podObject('sa-new', { labels: { app: 'sa' }, spec: inPool('sa', { schedulerName: 'only-spread', topologySpreadConstraints: tsc }) }));
  assert.equal(await waitBound(env.client, 'sa-new'), 'sa-2');
  let ex = await explain('sa-new');
  assert.ok(scoreOf(ex, 'sa-2', 'PodTopologySpread') > scoreOf(ex, 'sa-1', 'PodTopologySpread'));

  // No constraints of its own, but a Service selects it: the system defaults (hostname, zone) apply.
  await env.client.create({ group: '', version: 'v1', resource: 'services', namespace: 'default' },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dc-svc' }, spec: { selector: { app: 'dc' }, ports: [{ port: 80 }] } });
  await pool('dc', [['dc-1', {}], ['dc-2', {}]]);
  for (const n of ['dc-old-1', 'dc-old-2']) await createPod(env.client, podObject(n, { labels: { app: 'dc' }, spec: { nodeName: 'dc-1' } }));
  await new Promise((r) => setTimeout(r, 500)); // let the scheduler's Service informer see it
  await createPod(env.client, podObject('dc-new', { labels: { app: 'dc' }, spec: inPool('dc', { schedulerName: 'only-spread' }) }));
  assert.equal(await waitBound(env.client, 'dc-new'), 'dc-2');
  ex = await explain('dc-new');
  assert.ok(scoreOf(ex, 'dc-2', 'PodTopologySpread') > scoreOf(ex, 'dc-1', 'PodTopologySpread'));
});

test('DefaultPreemption spares pods a PodDisruptionBudget protects when another victim will do', async () => {
  await pool('pdb', [['pdb-1', { cpu: '2' }], ['pdb-2', { cpu: '2' }]]);
  // Created first, so without the budget the later-started guarded pod would be the victim.
  await createPod(env.client, podObject('pdb-free', { cpu: '2', labels: { app: 'free' }, spec: { priorityClassName: 'low', nodeName: 'pdb-2' } }));
  await new Promise((r) => setTimeout(r, 1100));
  await createPod(env.client, podObject('pdb-guarded', { cpu: '2', labels: { app: 'guarded' }, spec: { priorityClassName: 'low', nodeName: 'pdb-1' } }));
  const pdbs = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespace: 'default' };
  const pdb: any = await env.client.create(pdbs, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } });
  // No disruption controller runs here: the test writes the status it would.
  await env.client.update({ ...pdbs, name: 'guard', subresource: 'status' }, { ...pdb, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, observedGeneration: 1 } });
  await new Promise((r) => setTimeout(r, 500));
  await createPod(env.client, podObject('pdb-vip', { cpu: '2', spec: inPool('pdb', { priorityClassName: 'high' }) }));
  assert.equal(await eventually(async () => (await getPod(env.client, 'pdb-vip')).status.nominatedNodeName, 'nomination'), 'pdb-2');
  assert.ok((await getPod(env.client, 'pdb-free')).metadata.deletionTimestamp);
  assert.equal((await getPod(env.client, 'pdb-guarded')).metadata.deletionTimestamp, undefined);
  await env.client.delete({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'pdb-free' }, { gracePeriodSeconds: 0 });
  assert.equal(await waitBound(env.client, 'pdb-vip', 'default', 20_000), 'pdb-2');
});
