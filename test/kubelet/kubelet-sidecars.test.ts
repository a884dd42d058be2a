// Sidecar containers (init containers with restartPolicy: Always) and image updates, on real
// processes (host-process runtime) against a real API server, read back with the real kubectl:
// sidecars start in order with the next init container waiting for a sidecar's startup probe,
// run beside the app container, are restarted when they exit, count in READY and RESTARTS,
// and are stopped after the app container, last first — when it completes and when the pod is
// deleted; a changed image (the one mutable container field) restarts that container.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Container } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, PODS } from '../../src/client/index.js';
import { type Env, eventually, getPod, type KubeletProc, podManifest, startEnv } from './harness.js';

describe('kubelet sidecars and image updates (host-process runtime)', () => {
  let env: Env;
  let k: KubeletProc;
  let dir: string;
  const node = 'side-node';
  const row = (pod: string) => env.c.k('get', 'pod', pod, '--no-headers').trim().split(/\s+/);
  const events = (pod: string) => env.c.k('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  const sh = (name: string, script: string, extra: Partial<Container> = {}): Container => ({
    name, image: 'busybox', command: ['sh', '-c', script], volumeMounts: [{ name: 'shared', mountPath: '/shared' }], ...extra,
  });
  // a long-running process that notes its SIGTERM in shared/order before exiting 0
  const loop = (label: string) => `trap "echo ${label}-stop >> shared/order; exit 0" TERM; while :; do sleep 0.1; done`;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `tskube-sidecars-${process.pid}-`));
    env = await startEnv();
    // the service-account volume needs it, as upstream (no controller manager here)
    await env.client.resource(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'test-ca' } });
    k = await env.startKubelet(node, ['--container-runtime-endpoint', 'host-process://']);
  });
  after(async () => {
    if (process.env.KUBELET_DEBUG) process.stderr.write(k?.output() ?? '');
    await env?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const volume = (sub: string) => {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
    return [{ name: 'shared', hostPath: { path: path.join(dir, sub) } }];
  };

  it('a Job-style pod: sidecars in order (startup probe gates the next), restarted on exit, stopped last-first when the app completes', async () => {
    const d = path.join(dir, 'job');
    await env.client.resource(PODS).create('default', podManifest('job', node, {
      restartPolicy: 'Never',
      volumes: volume('job'),
      initContainers: [
        // up only after a second: the init container after it fails unless it waited for the startup probe
        sh('proxy', `sleep 1; touch shared/proxy-up; ${loop('proxy')}`, {
          restartPolicy: 'Always', startupProbe: { exec: { command: ['test', '-f', path.join(d, 'proxy-up')] }, periodSeconds: 1, failureThreshold: 30 },
        }),
        sh('check', 'test -f shared/proxy-up && echo checked > shared/check'),
        // exits 1 on its first run: restarted although the pod's restartPolicy is Never
        sh('logger', `if [ ! -f shared/logger-ran ]; then touch shared/logger-ran; exit 1; fi; ${loop('logger')}`, { restartPolicy: 'Always' }),
      ],
      containers: [sh('main', 'while [ ! -f shared/finish ]; do sleep 0.1; done; echo main-done >> shared/order')],
    }));
    const p = await eventually('job 3/3 Running with the logger restarted', async () => {
      const x = await getPod(env.client, 'job');
      const logger = x.status?.initContainerStatuses?.find((s) => s.name === 'logger');
      return x.status?.phase === 'Running' && logger?.restartCount === 1 && logger.ready
        && x.status.containerStatuses?.[0]?.ready && row('job')[1] === '3/3' ? x : undefined;
    }, 60_000);
    assert.equal(fs.readFileSync(path.join(d, 'check'), 'utf8'), 'checked\n');
    const init = p.status!.initContainerStatuses!;
    assert.deepEqual(init.map((s) => s.name), ['proxy', 'check', 'logger']);
    assert.ok(init[0].state!.running && init[0].started && init[0].ready);
    assert.equal(init[1].state!.terminated!.reason, 'Completed');
    assert.ok(init[2].state!.running && init[2].started);
    assert.equal(init[2].lastState!.terminated!.exitCode, 1);
    assert.equal(p.status!.containerStatuses![0].restartCount, 0);
    assert.equal(p.status!.conditions!.find((c) => c.type === 'Initialized')!.status, 'True');
    assert.equal(p.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
    // RESTARTS "1 (Ns ago)": the sidecar's restart
    assert.match(env.c.k('get', 'pod', 'job', '--no-headers'), /^job\s+3\/3\s+Running\s+1 \(\d+s ago\)/);

    fs.writeFileSync(path.join(d, 'finish'), '');
    const done = await eventually('job Succeeded', async () => {
      const x = await getPod(env.client, 'job');
      return x.status?.phase === 'Succeeded' ? x : undefined;
    }, 60_000);
    // the app container first, then the sidecars in reverse order
    assert.deepEqual(fs.readFileSync(path.join(d, 'order'), 'utf8').trim().split('\n'), ['main-done', 'logger-stop', 'proxy-stop']);
    assert.equal(done.status!.containerStatuses![0].state!.terminated!.reason, 'Completed');
    for (const s of done.status!.initContainerStatuses!) assert.ok(s.state!.terminated, `${s.name} terminated`);
    assert.equal(row('job')[2], 'Completed');
  });

  it('deleting a pod stops the app container first, then the sidecars last-first', async () => {
    const d = path.join(dir, 'del');
    await env.client.resource(PODS).create('default', podManifest('del', node, {
      volumes: volume('del'), terminationGracePeriodSeconds: 10,
      initContainers: [sh('first', loop('first'), { restartPolicy: 'Always' }), sh('second', loop('second'), { restartPolicy: 'Always' })],
      containers: [sh('main', loop('main'))],
    }));
    await eventually('del Ready', async () => row('del')[1] === '3/3' && row('del')[2] === 'Running', 60_000);
    env.c.k('delete', 'pod', 'del', '--wait=true', '--timeout=60s');
    assert.deepEqual(fs.readFileSync(path.join(d, 'order'), 'utf8').trim().split('\n'), ['main-stop', 'second-stop', 'first-stop']);
  });

  it('a changed image restarts that container (app and sidecar) with the new image; other fields stay immutable', async () => {
    const d = path.join(dir, 'img');
    await env.client.resource(PODS).create('default', podManifest('img', node, {
      volumes: volume('img'),
      initContainers: [sh('side', `echo side >> shared/starts; ${loop('side')}`, { restartPolicy: 'Always' })],
      containers: [sh('main', `echo main >> shared/starts; ${loop('main')}`, { image: 'busybox:1' })],
    }));
    const before = await eventually('img Running', async () => {
      const x = await getPod(env.client, 'img');
      return x.status?.containerStatuses?.[0]?.ready && x.status.initContainerStatuses?.[0]?.ready ? x : undefined;
    }, 60_000);
    assert.equal(row('img')[1], '2/2');
    env.c.k('set', 'image', 'pod/img', 'main=busybox:2', 'side=busybox:3');
    const p = await eventually('img restarted with the new images', async () => {
      const x = await getPod(env.client, 'img');
      const m = x.status?.containerStatuses?.[0];
      const s = x.status?.initContainerStatuses?.[0];
      return m?.restartCount === 1 && m.image === 'busybox:2' && m.ready && s?.restartCount === 1 && s.image === 'busybox:3' && s.ready ? x : undefined;
    }, 60_000);
    const m = p.status!.containerStatuses![0];
    assert.notEqual(m.containerID, before.status!.containerStatuses![0].containerID);
    assert.equal(m.lastState!.terminated!.exitCode, 0); // its TERM trap
    assert.equal(p.status!.phase, 'Running');
    assert.deepEqual(fs.readFileSync(path.join(d, 'starts'), 'utf8').trim().split('\n').sort(), ['main', 'main', 'side', 'side']);
    // events are written in the background: wait for both
    await eventually('Killing events', () => /Killing: Container main definition changed, will be restarted/.test(events('img'))
      && /Killing: Container side definition changed, will be restarted/.test(events('img')), 30_000);
    assert.equal(row('img')[3], '2');
    // anything but the image is still refused, and the pod is untouched
    const bad = env.c.kubectl(['patch', 'pod', 'img', '--type=json', '-p', '[{"op":"replace","path":"/spec/containers/0/command","value":["true"]}]']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /pod updates may not change fields other than/);
  });

  it('restartPolicy on a container: only Always, only on init containers (upstream\'s errors)', () => {
    const pod = (spec: object) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'badrp' }, spec });
    const a = env.c.kubectl(['create', '-f', '-'], pod({ containers: [{ name: 'c', image: 'x', restartPolicy: 'Always' }] }));
    assert.notEqual(a.code, 0);
    assert.match(a.stderr, /spec\.containers\[0\]\.restartPolicy: Forbidden: may not be set for non-init containers/);
    const b = env.c.kubectl(['create', '-f', '-'], pod({ initContainers: [{ name: 'i', image: 'x', restartPolicy: 'Never' }], containers: [{ name: 'c', image: 'x' }] }));
    assert.notEqual(b.code, 0);
    assert.match(b.stderr, /spec\.initContainers\[0\]\.restartPolicy: Unsupported value: "Never": supported values: "Always"/);
  });
});
