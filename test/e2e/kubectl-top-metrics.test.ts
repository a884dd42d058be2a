// The resource metrics pipeline on real processes: a kubelet on the host-process runtime
// measures its node and containers (/metrics/resource), the API server's built-in
// metrics.k8s.io provider scrapes it, `kubectl top` prints it, and the controller
// manager's horizontal-pod-autoscaling scales a Deployment on the real CPU of a busy pod.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parsePromText } from '../../src/apiserver/metrics-api/prometheus-text.js';
import { type Env, eventually, type KubeletProc, startEnvWith, stopChild } from '../kubelet/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const NODE = 'metrics-node';

const pod = (name: string, command: string, labels: Record<string, string>) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
  spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, automountServiceAccountToken: false, containers: [{ name: 'main', image: 'busybox', command: ['/bin/sh', '-c', command], resources: { requests: { cpu: '100m' } } }] },
});

const kubeletGet = (port: number, p: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
  https.get({ host: '127.0.0.1', port, path: p, rejectUnauthorized: false }, (res) => {
    let body = '';
    res.on('data', (d) => { body += d; });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  }).on('error', reject);
});

/** CPU in millicores from a kubectl top cell ("250m", "1"). */
const millis = (cell: string) => (cell.endsWith('m') ? Number(cell.slice(0, -1)) : Number(cell) * 1000);

describe('metrics.k8s.io from real kubelet measurements: kubectl top and the HPA', () => {
  let env: Env;
  let k: KubeletProc;
  let manager: ChildProcess | undefined;
  const kubectl = (args: string[], input?: string) => env.c.kubectl(args, input);
  before(async () => {
    env = await startEnvWith({ apiserverArgs: ['--metric-resolution=1s', '--kubelet-preferred-address-types=InternalIP'] });
    k = await env.startKubelet(NODE, ['--container-runtime-endpoint', 'host-process://']);
    for (const [name, cmd, app] of [['burn', 'while :; do :; done', 'burn'], ['idle', 'exec sleep 600', 'idle']]) {
      assert.equal(kubectl(['create', '-f', '-'], pod(name, cmd, { app })).code, 0);
    }
  });
  after(async () => {
    if (manager) await stopChild(manager);
    kubectl(['delete', 'pods', '--all', '--wait=false']);
    await env?.stop();
  });

  it('the kubelet serves /metrics/resource with cumulative CPU and working set per container and for the node', async () => {
    const text = await eventually('burn measured', async () => {
      const r = await kubeletGet(k.port, '/metrics/resource');
      return r.status === 200 && /container_cpu_usage_seconds_total\{container="main",namespace="default",pod="burn"\}/.test(r.body) ? r.body : undefined;
    }, 60_000);
    const samples = parsePromText(text);
    const one = (name: string, podName?: string) => samples.find((s) => s.name === name && s.labels.pod === podName);
    assert.ok(one('node_cpu_usage_seconds_total')!.value > 0);
    assert.ok(one('node_memory_working_set_bytes')!.value > 0);
    assert.ok(one('container_memory_working_set_bytes', 'burn')!.value > 0);
    assert.ok(one('container_cpu_usage_seconds_total', 'burn')!.timestamp! > Date.now() - 60_000, 'samples carry their ms timestamp');
    assert.match(text, /# TYPE container_cpu_usage_seconds_total counter/);
    assert.match(text, /^resource_scrape_error 0$/m);
  });

  it('kubectl top node and top pod print what the API server computed from two scrapes', async () => {
    const nodeLine = await eventually('top node', () => { const r = kubectl(['top', 'node', NODE, '--no-headers']); return r.code === 0 ? r.stdout.trim() : undefined; }, 60_000);
    const [name, cpu, cpuPct, mem] = nodeLine.split(/\s+/);
    assert.equal(name, NODE);
    assert.ok(millis(cpu) > 0, nodeLine);
    assert.match(cpuPct, /^\d+%$/);
    assert.match(mem, /^\d+Mi$/);
    // the busy loop uses a good share of a core; the sleeping pod next to nothing
    const rows = await eventually('top pods', () => {
      const r = kubectl(['top', 'pod', '--no-headers']);
      const m = new Map(r.stdout.trim().split('\n').filter(Boolean).map((l) => { const f = l.split(/\s+/); return [f[0], millis(f[1])]; }));
      return r.code === 0 && m.has('burn') && m.has('idle') && m.get('burn')! > 100 ? m : undefined;
    }, 60_000);
    assert.ok(rows.get('burn')! > rows.get('idle')!, JSON.stringify([...rows]));
    assert.match(kubectl(['top', 'pod', '-l', 'app=burn', '--containers', '--no-headers']).stdout, /^burn\s+main\s+\d+m\s+\d+Mi/);
    assert.doesNotMatch(kubectl(['top', 'pod', '-l', 'app=burn', '--no-headers']).stdout, /idle/);

    const raw = JSON.parse(env.c.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burn'));
    assert.equal(raw.kind, 'PodMetrics');
    assert.deepEqual(raw.metadata.labels, { app: 'burn' });
    assert.match(raw.containers[0].usage.cpu, /^\d+n$/);
    assert.match(raw.containers[0].usage.memory, /^\d+Ki$/);
    assert.match(raw.window, /^\d+(\.\d+)?s$/);
    const nodes = JSON.parse(env.c.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes'));
    assert.deepEqual(nodes.items.map((n: any) => n.metadata.name), [NODE]);
    // discovery: what kubectl top looks for; read-only verbs
    const group = JSON.parse(env.c.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1'));
    assert.deepEqual(group.resources.map((r: any) => [r.name, r.kind, r.verbs]), [['nodes', 'NodeMetrics', ['get', 'list']], ['pods', 'PodMetrics', ['get', 'list']]]);
    // errors in the API's own form
    const missing = kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope']);
    assert.match(missing.stderr, /NotFound|not found/);
    const write = kubectl(['delete', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burn']);
    assert.match(write.stderr, /MethodNotAllowed|not supported/);
    assert.match(kubectl(['get', 'podmetrics.metrics.k8s.io', 'burn']).stdout, /^NAME\s+CPU\s+MEMORY\s+WINDOW\nburn\s+\d+m\s+\d+Mi\s+\S+s\n$/);
  });

  it('horizontal-pod-autoscaling scales a Deployment on the real CPU of its busy pods', async () => {
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hot' }, spec: { replicas: 1, selector: { matchLabels: { app: 'hot' } },
      template: JSON.parse(pod('x', 'while :; do :; done', { app: 'hot' })) } };
    delete deploy.spec.template.apiVersion; delete deploy.spec.template.kind; delete deploy.spec.template.metadata.name;
    assert.equal(kubectl(['create', '-f', '-'], JSON.stringify(deploy)).code, 0);
    manager = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'controller-manager', '--kubeconfig', env.c.kubeconfig, '--bind-address', '127.0.0.1', '--secure-port', '0',
      '--leader-elect=false', '--controllers=deployment,replicaset,horizontalpodautoscaling', '--horizontal-pod-autoscaler-sync-period=1s',
      '--horizontal-pod-autoscaler-cpu-initialization-period=1s'], { stdio: ['ignore', 'ignore', 'ignore'] });
    env.c.k('autoscale', 'deployment', 'hot', '--min=1', '--max=2', '--cpu-percent=50');
    // a busy loop is far above 50% of a 100m request: the HPA asks for more
    const hpa = await eventually('scaled up on measured CPU', () => {
      const h = JSON.parse(env.c.k('get', 'hpa.v2.autoscaling', 'hot', '-o', 'json'));
      return h.status?.desiredReplicas === 2 && h;
    }, 90_000);
    const cpu = hpa.status.currentMetrics[0].resource;
    assert.equal(cpu.name, 'cpu');
    assert.ok(cpu.current.averageUtilization > 50, JSON.stringify(cpu));
    assert.equal(hpa.status.conditions.find((c: any) => c.type === 'ScalingActive').reason, 'ValidMetricFound');
    assert.equal(JSON.parse(env.c.k('get', 'deployment', 'hot', '-o', 'json')).spec.replicas, 2);
    assert.match(env.c.k('get', 'hpa', 'hot'), /hot\s+Deployment\/hot\s+cpu: \d+%\/50%\s+1\s+2\s+\d/);
  });
});
