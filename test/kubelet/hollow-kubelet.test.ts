// The kubelet on the hollow runtime against a real store + apiserver: node registration,
// Ready and the Lease; pods bound by nodeName going Running with upstream's status; Jobs-style
// completion; crash loops; graceful deletion; and 50 hollow nodes in one process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { LEASES, NODES, PODS } from '../../src/client/index.js';
import { type Env, eventually, getPod, type KubeletProc, podManifest, startEnv } from './harness.js';

describe('kubelet (hollow runtime)', () => {
  let env: Env;
  let k: KubeletProc;
  let firstRenew = '';
  const node = 'hollow-a';

  before(async () => {
    env = await startEnv();
    k = await env.startKubelet(node, ['--container-runtime-endpoint', 'hollow://', '--node-labels', 'tier=test',
      '--register-with-taints', 'dedicated=test:NoSchedule', '--pod-cidr', '10.200.1.0/24', '--node-status-update-frequency', '1s']);
  });
  after(async () => { await env?.stop(); });

  it('registers its Node, turns Ready and renews its Lease', async () => {
    const n = await eventually('node Ready', async () => {
      const x = await env.client.resource(NODES).get('', node) as Node;
      return x.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? x : undefined;
    });
    const ready = n.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.reason, 'KubeletReady');
    assert.equal(ready.message, 'kubelet is posting ready status');
    assert.deepEqual(n.status!.conditions!.map((c) => [c.type, c.status, c.reason]), [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'], ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'], ['Ready', 'True', 'KubeletReady'],
    ]);
    assert.equal(n.metadata!.labels!['kubernetes.io/hostname'], node);
    assert.equal(n.metadata!.labels!['kubernetes.io/os'], 'linux');
    assert.ok(n.metadata!.labels!['kubernetes.io/arch']);
    assert.equal(n.metadata!.labels!.tier, 'test');
    assert.deepEqual(n.spec!.taints, [{ key: 'dedicated', value: 'test', effect: 'NoSchedule' }]);
    assert.equal(n.status!.capacity!.pods, '110');
    assert.deepEqual(n.status!.addresses, [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: node }]);
    assert.equal(n.status!.daemonEndpoints!.kubeletEndpoint!.Port, k.port);
    assert.match(n.status!.nodeInfo!.containerRuntimeVersion!, /^hollow:\/\//);
    const lease = await eventually('lease', () => env.client.resource(LEASES).get('kube-node-lease', node) as Promise<Lease>);
    assert.equal(lease.spec!.holderIdentity, node);
    assert.equal(lease.spec!.leaseDurationSeconds, 40);
    assert.equal(lease.metadata!.ownerReferences![0].kind, 'Node');
    firstRenew = lease.spec!.renewTime!;
    const out = env.c.k('get', 'nodes');
    assert.match(out, new RegExp(`${node}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.0-tskube`));
  });

  it('runs a pod bound by nodeName: Running, Ready, with IPs and upstream conditions', async () => {
    await env.client.resource(PODS).create('default', podManifest('web', node, {
      containers: [{ name: 'main', image: 'nginx', readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } }],
    }));
    const p = await eventually('web Ready', async () => {
      const x = await getPod(env.client, 'web');
      return x.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? x : undefined;
    });
    assert.equal(p.status!.phase, 'Running');
    assert.match(p.status!.podIP!, /^10\.200\.1\.\d+$/);
    assert.equal(p.status!.hostIP, '127.0.0.1');
    assert.ok(p.status!.startTime);
    assert.equal(p.status!.qosClass, 'BestEffort');
    assert.deepEqual(p.status!.conditions!.map((c) => [c.type, c.status]).sort(), [
      ['ContainersReady', 'True'], ['Initialized', 'True'], ['PodReadyToStartContainers', 'True'], ['PodScheduled', 'True'], ['Ready', 'True'],
    ]);
    const cs = p.status!.containerStatuses![0];
    assert.equal(cs.name, 'main');
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.equal(cs.image, 'nginx');
    assert.match(cs.containerID!, /^hollow:\/\/[0-9a-f]{64}$/);
    assert.ok(cs.state!.running!.startedAt);
    const wide = env.c.k('get', 'pods', '-o', 'wide');
    assert.match(wide, new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.200\\.1\\.\\d+\\s+${node}`));
  });

  it('runs init containers first, then completes `sleep 1` with restartPolicy Never (Succeeded)', async () => {
    await env.client.resource(PODS).create('default', podManifest('job', node, {
      restartPolicy: 'Never',
      initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'exit 0'] }],
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '1'] }],
    }));
    const p = await eventually('job Succeeded', async () => {
      const x = await getPod(env.client, 'job');
      return x.status?.phase === 'Succeeded' ? x : undefined;
    });
    assert.equal(p.status!.initContainerStatuses![0].state!.terminated!.reason, 'Completed');
    const t = p.status!.containerStatuses![0].state!.terminated!;
    assert.equal(t.exitCode, 0);
    assert.equal(t.reason, 'Completed');
    assert.ok(Date.parse(t.finishedAt!) - Date.parse(t.startedAt!) >= 1000);
    assert.equal(p.status!.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
    assert.match(env.c.k('get', 'pod', 'job'), /job\s+0\/1\s+Completed\s+0/);
  });

  it('fails a pod whose container exits 3 under restartPolicy Never', async () => {
    await env.client.resource(PODS).create('default', podManifest('fail', node, {
      restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 3'] }],
    }));
    const p = await eventually('fail Failed', async () => {
      const x = await getPod(env.client, 'fail');
      return x.status?.phase === 'Failed' ? x : undefined;
    });
    assert.equal(p.status!.containerStatuses![0].state!.terminated!.exitCode, 3);
    assert.equal(p.status!.containerStatuses![0].state!.terminated!.reason, 'Error');
  });

  it('puts `false` under restartPolicy Always into CrashLoopBackOff with growing restarts', async () => {
    await env.client.resource(PODS).create('default', podManifest('crash', node, { containers: [{ name: 'main', image: 'busybox', command: ['false'] }] }));
    const p = await eventually('CrashLoopBackOff', async () => {
      const x = await getPod(env.client, 'crash');
      return x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' ? x : undefined;
    });
    const cs = p.status!.containerStatuses![0];
    assert.equal(cs.restartCount, 1);
    assert.match(cs.state!.waiting!.message!, /^back-off 10s restarting failed container=main pod=crash_default\(/);
    assert.equal(cs.lastState!.terminated!.exitCode, 1);
    assert.equal(p.status!.phase, 'Running');
    assert.match(env.c.k('get', 'pod', 'crash'), /crash\s+0\/1\s+CrashLoopBackOff\s+1 \(\S+ ago\)/);
    // after the 10 s back-off it restarts once more and backs off for 20 s
    const p2 = await eventually('second restart', async () => {
      const x = await getPod(env.client, 'crash');
      return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 && x.status?.containerStatuses?.[0]?.state?.waiting ? x : undefined;
    }, 20_000);
    assert.match(p2.status!.containerStatuses![0].state!.waiting!.message!, /^back-off 20s /);
  });

  it('deletes gracefully: the pod is Terminating, then the kubelet completes the deletion', async () => {
    await env.client.resource(PODS).delete('default', 'web', { gracePeriodSeconds: 30 });
    await eventually('web gone', async () => {
      try { await getPod(env.client, 'web'); return false; } catch (err) { return (err as { code?: number }).code === 404; }
    }, 10_000);
  });

  it('hosts 50 hollow nodes in one process, all Ready', async () => {
    const fleet = await env.startKubelet('fleet', ['--hollow-nodes', '50']);
    await eventually('50 nodes Ready', async () => {
      const list = await env.client.resource(NODES).list('');
      const ready = list.items.filter((n) => n.metadata!.name!.startsWith('fleet-') && n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
      return ready.length === 50;
    }, 30_000);
    await env.client.resource(PODS).create('default', podManifest('on-fleet', 'fleet-37', {}));
    const p = await eventually('pod on fleet-37 Running', async () => {
      const x = await getPod(env.client, 'on-fleet');
      return x.status?.phase === 'Running' ? x : undefined;
    });
    assert.match(p.status!.podIP!, /^10\.128\.37\.\d+$/);
    await fleet.stop();
  });

  it('renews its Lease every 10 s while alive, and not once killed', async () => {
    const renewed = await env.client.resource(LEASES).get('kube-node-lease', node) as Lease;
    assert.ok(Date.parse(renewed.spec!.renewTime!) > Date.parse(firstRenew), `lease not renewed since ${firstRenew}`);
    await k.stop('SIGKILL');
    const at = (await env.client.resource(LEASES).get('kube-node-lease', node) as Lease).spec!.renewTime;
    await new Promise((r) => setTimeout(r, 11_000));
    assert.equal((await env.client.resource(LEASES).get('kube-node-lease', node) as Lease).spec!.renewTime, at);
  });
});
