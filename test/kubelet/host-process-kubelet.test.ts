// Static pods on the host-process runtime: a manifest file runs a real process, its mirror
// pod appears in the API with the real status, a killed process is restarted, editing and
// removing the file replace and remove the pod; logs come from the kubelet's HTTPS server;
// and without any API server a static pod still runs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, PODS, SECRETS } from '../../src/client/index.js';
import { freePort } from '../apiserver/harness.js';
import { type Env, eventually, getPod, type KubeletProc, podManifest, spawnKubelet, startEnv } from './harness.js';

const get = (port: number, p: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
  https.get({ host: '127.0.0.1', port, path: p, rejectUnauthorized: false }, (res) => {
    let body = '';
    res.on('data', (d) => { body += d; });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  }).on('error', reject);
});

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
const readPid = (f: string): number | undefined => { try { const n = Number(fs.readFileSync(f, 'utf8').trim()); return n > 0 ? n : undefined; } catch { return undefined; } };

// `$$` is how a pod spec writes a literal `$` (the kubelet expands $(VAR) and turns $$ into $)
function manifest(name: string, pidFile: string, label: string): string {
  return [
    'apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}, namespace: kube-system, labels: {component: ${name}, rev: "${label}"}}`, 'spec:',
    '  containers:', '  - name: main', '    image: registry.k8s.io/example:1.0',
    `    command: ["/bin/sh", "-c", "echo $$$$ > ${pidFile}; echo started ${label}; exec sleep 300"]`,
    '    startupProbe: {exec: {command: ["true"]}, periodSeconds: 1}',
    '    livenessProbe: {exec: {command: ["true"]}, periodSeconds: 1}',
    '',
  ].join('\n');
}

describe('kubelet on the host-process runtime: static pods, volumes, env', () => {
  let env: Env;
  let k: KubeletProc;
  let manifests: string;
  const node = 'cp-node';
  const file = () => path.join(manifests, 'demo.yaml');
  const pidFile = () => path.join(env.c.dir, 'demo.pid');

  before(async () => {
    env = await startEnv();
    manifests = path.join(env.c.dir, 'manifests');
    fs.mkdirSync(manifests);
    fs.writeFileSync(file(), manifest('demo', pidFile(), 'one'));
    // what the root-CA publisher would provide: service-account volumes project it
    await env.client.resource(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'test-ca' } });
    k = await env.startKubelet(node, ['--pod-manifest-path', manifests, '--container-runtime-endpoint', 'host-process://']);
  });
  after(async () => {
    if (process.env.KUBELET_DEBUG) process.stderr.write(k.output());
    const pid = env && readPid(pidFile());
    await env?.stop();
    // the kubelet stops its host processes when it stops
    if (pid) assert.equal(alive(pid), false, 'host process outlived the kubelet');
  });

  it('runs the static pod as a real process and mirrors it into the API', async () => {
    const pid = await eventually('process started', () => readPid(pidFile()));
    assert.ok(alive(pid));
    const mirror = await eventually('mirror pod Running', async () => {
      const p = await getPod(env.client, `demo-${node}`, 'kube-system');
      return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
    });
    const ann = mirror.metadata!.annotations!;
    assert.equal(ann['kubernetes.io/config.source'], 'file');
    assert.equal(ann['kubernetes.io/config.mirror'], ann['kubernetes.io/config.hash']);
    assert.equal(mirror.spec!.nodeName, node);
    assert.equal(mirror.metadata!.ownerReferences?.[0]?.kind, 'Node');
    assert.equal(mirror.status!.podIP, '127.0.0.1');
    assert.match(mirror.status!.containerStatuses![0].containerID!, /^host-process:\/\//);
    assert.match(env.c.k('get', 'pods', '-n', 'kube-system'), new RegExp(`demo-${node}\\s+1/1\\s+Running\\s+0`));
    const logs = await get(k.port, `/containerLogs/kube-system/demo-${node}/main`);
    assert.equal(logs.status, 200);
    assert.equal(logs.body, 'started one\n');
    const ts = await get(k.port, `/containerLogs/kube-system/demo-${node}/main?timestamps=true&tailLines=1`);
    assert.match(ts.body, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z started one\n$/);
    const bad = await get(k.port, `/containerLogs/kube-system/demo-${node}/nope`);
    assert.equal(bad.status, 400);
    const pods = JSON.parse((await get(k.port, '/pods')).body) as { items: Pod[] };
    assert.ok(pods.items.some((p) => p.metadata?.name === `demo-${node}`));
    assert.equal((await get(k.port, '/healthz')).body, 'ok');
  });

  it('restarts the process when it dies, counting the restart', async () => {
    const pid = readPid(pidFile())!;
    process.kill(pid, 'SIGKILL');
    const p = await eventually('restarted', async () => {
      const m = await getPod(env.client, `demo-${node}`, 'kube-system');
      const cs = m.status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && cs.state?.running ? m : undefined;
    });
    const last = p.status!.containerStatuses![0].lastState!.terminated!;
    assert.equal(last.exitCode, 137);
    assert.equal(last.reason, 'Error');
    const newPid = await eventually('new pid', () => { const n = readPid(pidFile()); return n !== pid ? n : undefined; });
    assert.ok(alive(newPid));
    assert.equal((await get(k.port, `/containerLogs/kube-system/demo-${node}/main?previous=true`)).body, 'started one\n');
    assert.match(env.c.k('get', 'pods', '-n', 'kube-system'), new RegExp(`demo-${node}\\s+1/1\\s+Running\\s+1 \\(`));
  });

  it('replaces the pod when the file changes and removes it with the file', async () => {
    const before = await getPod(env.client, `demo-${node}`, 'kube-system');
    const oldPid = readPid(pidFile())!;
    fs.writeFileSync(file(), manifest('demo', pidFile(), 'two'));
    const updated = await eventually('mirror pod replaced', async () => {
      const p = await getPod(env.client, `demo-${node}`, 'kube-system');
      return p.metadata?.labels?.rev === 'two' && p.status?.phase === 'Running' ? p : undefined;
    });
    assert.notEqual(updated.metadata!.annotations!['kubernetes.io/config.hash'], before.metadata!.annotations!['kubernetes.io/config.hash']);
    await eventually('old process gone', () => !alive(oldPid));
    const newPid = await eventually('new process', () => { const n = readPid(pidFile()); return n !== oldPid && n && alive(n) ? n : undefined; });
    fs.rmSync(file());
    await eventually('mirror pod removed', async () => {
      try { await getPod(env.client, `demo-${node}`, 'kube-system'); return false; } catch (err) { return (err as { code?: number }).code === 404; }
    });
    await eventually('process stopped', () => !alive(newPid));
  });

  it('materializes configMap, secret, downwardAPI and emptyDir volumes and env for a real process', async () => {
    await env.client.resource(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'hello', 'app.conf': 'a=1' } });
    await env.client.resource(SECRETS).create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    const script = 'cat $$CONTAINER_SANDBOX_MOUNT_POINT/etc/cfg/app.conf; echo; cat $$CONTAINER_SANDBOX_MOUNT_POINT/etc/sec/password; echo; '
      + 'cat $$CONTAINER_SANDBOX_MOUNT_POINT/etc/info/ns; echo; echo "$$GREETING $$PASSWORD $$POD_NS $$POD_IP [$(EXPANDED)]"; '
      + 'echo data > $$CONTAINER_SANDBOX_MOUNT_POINT/scratch/f && cat $$CONTAINER_SANDBOX_MOUNT_POINT/scratch/f; exec sleep 300';
    await env.client.resource(PODS).create('default', podManifest('vols', node, {
      containers: [{
        name: 'main', image: 'busybox', command: ['/bin/sh', '-c', script],
        env: [
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
          { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'EXPANDED', value: 'x-$(GREETING)' },
        ],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'sec', mountPath: '/etc/sec' }, { name: 'info', mountPath: '/etc/info' }, { name: 'scratch', mountPath: '/scratch' }],
      }],
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg' } }, { name: 'sec', secret: { secretName: 'sec' } },
        { name: 'info', downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } }, { name: 'scratch', emptyDir: {} },
      ],
    }));
    const body = await eventually('vols logs', async () => {
      const r = await get(k.port, '/containerLogs/default/vols/main');
      return r.status === 200 && r.body.includes('data\n') ? r.body : undefined;
    });
    const lines = body.split('\n');
    assert.equal(lines[0], 'a=1');
    assert.equal(lines[1], 's3cret');
    assert.equal(lines[2], 'default');
    assert.equal(lines[3], 'hello s3cret default 127.0.0.1 [x-hello]');
    assert.equal(lines[4], 'data');
    await env.client.resource(PODS).delete('default', 'vols', { gracePeriodSeconds: 5 });
    await eventually('vols deleted', async () => {
      try { await getPod(env.client, 'vols'); return false; } catch (err) { return (err as { code?: number }).code === 404; }
    });
  });

  it('leaves a pod whose configMap is missing in CreateContainerConfigError', async () => {
    await env.client.resource(PODS).create('default', podManifest('nocfg', node, {
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '300'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }] }],
    }));
    const p = await eventually('CreateContainerConfigError', async () => {
      const x = await getPod(env.client, 'nocfg');
      return x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' ? x : undefined;
    });
    assert.equal(p.status!.containerStatuses![0].state!.waiting!.message, 'configmap "missing" not found');
    assert.equal(p.status!.phase, 'Pending');
  });

  it('probes for real: httpGet readiness gates Ready, a failing exec liveness probe restarts the container', async () => {
    const port = await freePort();
    const server = `require('http').createServer((q, s) => { s.statusCode = q.url === '/ready' ? 200 : 500; s.end('x'); }).listen(${port}, '127.0.0.1')`;
    await env.client.resource(PODS).create('default', podManifest('probed', node, {
      containers: [{
        name: 'web', image: 'node', command: [process.execPath, '-e', server],
        startupProbe: { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 30 },
        readinessProbe: { httpGet: { path: '/ready', port }, periodSeconds: 1 },
      }, {
        name: 'sick', image: 'busybox', command: ['sleep', '300'],
        livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2 },
      }],
      terminationGracePeriodSeconds: 2,
    }));
    const p = await eventually('web ready, sick restarted', async () => {
      const x = await getPod(env.client, 'probed');
      const [web, sick] = [x.status?.containerStatuses?.find((c) => c.name === 'web'), x.status?.containerStatuses?.find((c) => c.name === 'sick')];
      return web?.ready && (sick?.restartCount ?? 0) >= 1 ? x : undefined;
    }, 30_000);
    const sick = p.status!.containerStatuses!.find((c) => c.name === 'sick')!;
    assert.equal(sick.lastState!.terminated!.exitCode, 143);
    const events = env.c.k('get', 'events', '--field-selector', 'involvedObject.name=probed');
    assert.match(events, /Container sick failed liveness probe, will be restarted/);
    assert.match(events, /Liveness probe failed: command "false" exited with 1/);
    // container events name their container as upstream's do (kubectl describe's "From"/"Object" columns read it)
    const about = (c: string) => env.c.k('get', 'events', '--field-selector', `involvedObject.name=probed,involvedObject.fieldPath=spec.containers{${c}}`,
      '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}').split('\n').filter(Boolean).sort();
    const has = (c: string, reasons: string[]) => { const got = about(c); assert.ok(reasons.every((r) => got.includes(r)), `${c}: ${got.join(' ')}`); };
    has('sick', ['Pulled', 'Created', 'Started', 'Unhealthy', 'Killing']);
    has('web', ['Pulled', 'Created', 'Started']);
    assert.ok(!about('web').includes('Killing'), 'only the sick container was killed');
    await env.client.resource(PODS).delete('default', 'probed', { gracePeriodSeconds: 2 });
  });

  it('runs static pods with no API server at all (standalone)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-standalone-'));
    const m = path.join(dir, 'manifests');
    fs.mkdirSync(m);
    const pf = path.join(dir, 'solo.pid');
    fs.writeFileSync(path.join(m, 'solo.yaml'), manifest('solo', pf, 'solo'));
    const solo = await spawnKubelet(['--hostname-override', 'solo-node', '--pod-manifest-path', m], path.join(dir, 'root'));
    try {
      const pid = await eventually('solo process', () => readPid(pf));
      assert.ok(alive(pid));
      const pods = await eventually('solo Running', async () => {
        const list = JSON.parse((await get(solo.port, '/pods')).body) as { items: Pod[] };
        return list.items.find((p) => p.metadata?.name === 'solo-solo-node' && p.status?.phase === 'Running');
      });
      assert.equal(pods.metadata!.namespace, 'kube-system');
      await solo.stop();
      assert.equal(alive(pid), false);
    } finally {
      await solo.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
