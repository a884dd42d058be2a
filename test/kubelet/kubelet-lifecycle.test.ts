// Pod features on real processes (host-process runtime): gRPC probes against a real
// grpc.health.v1 server, postStart/preStop hooks (exec and httpGet) with preStop before
// SIGTERM, SIGKILL after the grace period for a process that ignores SIGTERM, a projected
// service-account token the API server's TokenReview accepts as the pod's account,
// hostPath volume types, PVCs bound to hostPath and local PVs, resourceFieldRef env; init
// containers in order with OnFailure restarts, envFrom with prefixes, a projected volume of
// configMap, secret and downward API sources, kubectl's STATUS column along the way, and
// configMap/secret/downward API volumes that follow their objects while the container runs;
// Service environment variables (enableServiceLinks, and KUBERNETES_SERVICE_* always).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CONFIGMAPS, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, PODS, SECRETS, SERVICEACCOUNTS, SERVICES } from '../../src/client/index.js';
import { freePort } from '../apiserver/harness.js';
import { type Env, eventually, getPod, type KubeletProc, podManifest, startEnvWith } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const logs = (port: number, p: string): Promise<string> => new Promise((resolve, reject) => {
  https.get({ host: '127.0.0.1', port, path: p, rejectUnauthorized: false }, (res) => {
    let body = '';
    res.on('data', (d) => { body += d; });
    res.on('end', () => resolve(res.statusCode === 200 ? body : ''));
  }).on('error', reject);
});

// the health service as grpc.io publishes it, served by @grpc/grpc-js from the .proto (an
// implementation independent of the kubelet's hand-encoded probe client)
const HEALTH_PROTO = `syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse); }
`;
const healthServer = (protoFile: string, port: number) => `
const grpc = require(${JSON.stringify(path.join(root, 'node_modules/@grpc/grpc-js'))});
const loader = require(${JSON.stringify(path.join(root, 'node_modules/@grpc/proto-loader'))});
const pkg = grpc.loadPackageDefinition(loader.loadSync(${JSON.stringify(protoFile)}, { enums: String, defaults: true }));
const server = new grpc.Server();
server.addService(pkg.grpc.health.v1.Health.service, {
  Check: (call, cb) => cb(null, { status: call.request.service === '' ? 'SERVING' : call.request.service === 'down' ? 'NOT_SERVING' : 'SERVICE_UNKNOWN' }),
});
server.bindAsync('127.0.0.1:${port}', grpc.ServerCredentials.createInsecure(), (err) => { if (err) throw err; console.log('grpc health serving'); });
`;

describe('kubelet pod lifecycle on real processes', () => {
  let env: Env;
  let k: KubeletProc;
  let dir: string;
  const node = 'life-node';
  const events = (pod: string) => env.c.k('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-kubelet-life-'));
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    env = await startEnvWith({ apiserverArgs: ['--service-account-key-file', path.join(dir, 'sa.pub'), '--service-account-signing-key-file', path.join(dir, 'sa.key'),
      '--service-account-issuer', 'https://kubernetes.default.svc.cluster.local'] });
    await env.client.resource(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'test-ca' } });
    // a short --sync-frequency: configMap/secret/downward API volumes are refreshed on the periodic sync
    k = await env.startKubelet(node, ['--container-runtime-endpoint', 'host-process://', '--sync-frequency', '2s']);
  });
  after(async () => {
    if (process.env.KUBELET_DEBUG) process.stderr.write(k?.output() ?? '');
    await env?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('grpc probes: Ready on SERVING, Unhealthy with upstream\'s message on NOT_SERVING', async () => {
    const port = await freePort();
    const proto = path.join(dir, 'health.proto');
    fs.writeFileSync(proto, HEALTH_PROTO);
    fs.writeFileSync(path.join(dir, 'health-server.cjs'), healthServer(proto, port));
    await env.client.resource(PODS).create('default', podManifest('grpcer', node, {
      containers: [
        { name: 'server', image: 'node', command: [process.execPath, path.join(dir, 'health-server.cjs')], readinessProbe: { grpc: { port }, periodSeconds: 1 } },
        { name: 'down', image: 'busybox', command: ['sleep', '300'], readinessProbe: { grpc: { port, service: 'down' }, periodSeconds: 1 } },
      ],
      terminationGracePeriodSeconds: 1,
    }));
    const p = await eventually('server ready', async () => {
      const x = await getPod(env.client, 'grpcer');
      return x.status?.containerStatuses?.find((c) => c.name === 'server')?.ready ? x : undefined;
    }, 60_000);
    assert.equal(p.status!.containerStatuses!.find((c) => c.name === 'down')!.ready, false);
    assert.equal(p.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'False');
    await eventually('NOT_SERVING reported', () => /Unhealthy: Readiness probe failed: service unhealthy \(responded with "NOT_SERVING"\)/.test(events('grpcer')));
    await env.client.resource(PODS).delete('default', 'grpcer', { gracePeriodSeconds: 1 });
  });

  it('postStart and preStop hooks (exec, httpGet); preStop runs before SIGTERM', async () => {
    const trace = path.join(dir, 'hooks.trace');
    fs.writeFileSync(trace, '');
    const hits: string[] = [];
    const server = http.createServer((q, s) => { hits.push(q.url!); fs.appendFileSync(trace, `http ${q.url}\n`); s.end('ok'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hport = (server.address() as { port: number }).port;
    try {
      const loop = (who: string) => `trap 'echo ${who} TERM >> ${trace}; exit 0' TERM; echo ${who} started >> ${trace}; while true; do sleep 0.2; done`;
      await env.client.resource(PODS).create('default', podManifest('hooked', node, {
        containers: [{
          name: 'execer', image: 'busybox', command: ['/bin/sh', '-c', loop('execer')],
          lifecycle: {
            postStart: { exec: { command: ['/bin/sh', '-c', `echo execer postStart >> ${trace}`] } },
            preStop: { exec: { command: ['/bin/sh', '-c', `echo execer preStop >> ${trace}`] } },
          },
        }, {
          name: 'webber', image: 'busybox', command: ['/bin/sh', '-c', loop('webber')],
          lifecycle: { postStart: { httpGet: { path: '/postStart', port: hport } }, preStop: { httpGet: { path: '/preStop', port: hport } } },
        }],
        terminationGracePeriodSeconds: 10,
      }));
      await eventually('both running after their postStart hooks', async () => {
        const x = await getPod(env.client, 'hooked');
        return x.status?.phase === 'Running' && hits.includes('/postStart') && fs.readFileSync(trace, 'utf8').includes('execer postStart');
      }, 60_000);
      assert.ok(!hits.includes('/preStop'));
      await env.client.resource(PODS).delete('default', 'hooked');
      await eventually('hooked deleted', async () => {
        try { await getPod(env.client, 'hooked'); return false; } catch (err) { return (err as { code?: number }).code === 404; }
      }, 60_000);
      const lines = fs.readFileSync(trace, 'utf8').split('\n');
      const at = (l: string) => { const i = lines.indexOf(l); assert.ok(i >= 0, `${l} in ${lines.join(' | ')}`); return i; };
      assert.ok(at('execer preStop') < at('execer TERM'), 'exec preStop before SIGTERM');
      assert.ok(at('http /preStop') < at('webber TERM'), 'httpGet preStop before SIGTERM');
      assert.ok(at('execer postStart') < at('execer preStop'));
    } finally {
      server.close();
    }
  });

  it('a process that ignores SIGTERM is SIGKILLed after the grace period (liveness restart and deletion)', async () => {
    const pidFile = path.join(dir, 'stubborn.pid');
    await env.client.resource(PODS).create('default', podManifest('stubborn', node, {
      containers: [{
        name: 'main', image: 'busybox', command: ['/bin/sh', '-c', `trap '' TERM; echo $$$$ > ${pidFile}; exec sleep 300`],
        // a generous timeout: under CI load a probe's shell can take over the default 1 s, and
        // that early failure restarts the container (SIGTERM) before its trap is set: 143
        livenessProbe: { exec: { command: ['/bin/sh', '-c', `test ! -e ${pidFile}.sick`] }, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 10 },
      }],
      terminationGracePeriodSeconds: 3,
    }));
    const first = await eventually('stubborn running', async () => {
      const x = await getPod(env.client, 'stubborn');
      const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : 0);
      return x.status?.phase === 'Running' && pid > 0 ? pid : undefined;
    }, 60_000);
    fs.writeFileSync(`${pidFile}.sick`, '');
    const killedAt = Date.now();
    await sleep(1500);
    assert.ok(alive(first), 'SIGTERM was ignored: still alive within the grace period');
    const p = await eventually('restarted after SIGKILL', async () => {
      const x = await getPod(env.client, 'stubborn');
      return x.status?.containerStatuses?.[0]?.lastState?.terminated ? x : undefined;
    }, 60_000);
    fs.rmSync(`${pidFile}.sick`);
    const last = p.status!.containerStatuses![0].lastState!.terminated!;
    assert.equal(last.exitCode, 137, 'killed by SIGKILL');
    assert.equal(last.reason, 'Error');
    assert.ok(Date.now() - killedAt >= 3000);
    assert.ok(!alive(first));

    const second = await eventually('new process', () => { const n = Number(fs.readFileSync(pidFile, 'utf8')); return n !== first && alive(n) ? n : undefined; });
    await env.client.resource(PODS).delete('default', 'stubborn', { gracePeriodSeconds: 3 });
    await sleep(1500);
    assert.ok(alive(second), 'still alive during the deletion grace period');
    await eventually('killed after the grace period', () => !alive(second), 20_000);
  });

  it('a projected service-account token that TokenReview authenticates as the pod\'s account', async () => {
    await env.client.resource(SERVICEACCOUNTS).create('default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
    await env.client.resource(PODS).create('default', podManifest('tokened', node, {
      serviceAccountName: 'robot', automountServiceAccountToken: false,
      containers: [{
        name: 'main', image: 'busybox', command: ['/bin/sh', '-c', 'cat $$CONTAINER_SANDBOX_MOUNT_POINT/var/run/secrets/tokens/token; echo; cat $$CONTAINER_SANDBOX_MOUNT_POINT/var/run/secrets/tokens/ca.crt; echo; exec sleep 300'],
        volumeMounts: [{ name: 'tok', mountPath: '/var/run/secrets/tokens' }],
      }],
      volumes: [{ name: 'tok', projected: { sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      ] } }],
      terminationGracePeriodSeconds: 1,
    }));
    const out = await eventually('token printed', async () => { const t = await logs(k.port, '/containerLogs/default/tokened/main'); return /^ey[^\n]+\ntest-ca\n/.test(t) ? t : undefined; }, 60_000);
    const token = out.split('\n')[0];
    const uid = (await getPod(env.client, 'tokened')).metadata!.uid!;
    const r = env.c.kubectl(['create', '--validate=false', '-o', 'json', '-f', '-'], JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }));
    assert.equal(r.code, 0, r.stderr);
    const review = JSON.parse(r.stdout) as {
      status: { authenticated?: boolean; user?: { username?: string; groups?: string[]; extra?: Record<string, string[]> } };
    };
    assert.equal(review.status.authenticated, true);
    assert.equal(review.status.user?.username, 'system:serviceaccount:default:robot');
    assert.ok(review.status.user?.groups?.includes('system:serviceaccounts:default'));
    assert.deepEqual(review.status.user?.extra?.['authentication.kubernetes.io/pod-name'], ['tokened']);
    assert.deepEqual(review.status.user?.extra?.['authentication.kubernetes.io/pod-uid'], [uid]);
    await env.client.resource(PODS).delete('default', 'tokened', { gracePeriodSeconds: 1 });
  });

  it('hostPath types, PVCs of hostPath and local PVs, and resourceFieldRef env', async () => {
    const made = path.join(dir, 'made-dir');
    const file = path.join(dir, 'made', 'file.txt');
    const pvDir = path.join(dir, 'pv-hostpath');
    const localDir = path.join(dir, 'pv-local');
    fs.mkdirSync(pvDir);
    fs.mkdirSync(localDir);
    fs.writeFileSync(path.join(pvDir, 'hello'), 'from-hostpath-pv');
    fs.writeFileSync(path.join(localDir, 'hello'), 'from-local-pv');
    const pv = (name: string, source: object) => ({
      apiVersion: 'v1' as const, kind: 'PersistentVolume' as const, metadata: { name: `${name}-${process.pid}` },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', ...source,
        claimRef: { namespace: 'default', name } },
    });
    await env.client.resource(PERSISTENTVOLUMES).create('', pv('hp-claim', { hostPath: { path: pvDir } }));
    await env.client.resource(PERSISTENTVOLUMES).create('', pv('local-claim', { local: { path: localDir },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } }));
    for (const name of ['hp-claim', 'local-claim']) {
      await env.client.resource(PERSISTENTVOLUMECLAIMS).create('default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', volumeName: `${name}-${process.pid}`, resources: { requests: { storage: '1Gi' } } } });
    }
    const m = '$$CONTAINER_SANDBOX_MOUNT_POINT';
    await env.client.resource(PODS).create('default', podManifest('pathy', node, {
      containers: [{
        name: 'main', image: 'busybox',
        command: ['/bin/sh', '-c', `cat ${m}/hp/hello; echo; cat ${m}/local/hello; echo; echo written > ${m}/made/out; echo "$$MEM_LIMIT $$MEM_REQ $$CPU_REQ $$CPU_LIMIT"; exec sleep 300`],
        resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        env: [
          { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
          { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
          { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        ],
        volumeMounts: [{ name: 'made', mountPath: '/made' }, { name: 'file', mountPath: '/file.txt' }, { name: 'hp', mountPath: '/hp' }, { name: 'local', mountPath: '/local' }],
      }],
      volumes: [
        { name: 'made', hostPath: { path: made, type: 'DirectoryOrCreate' } },
        { name: 'file', hostPath: { path: file, type: 'FileOrCreate' } },
        { name: 'hp', persistentVolumeClaim: { claimName: 'hp-claim' } },
        { name: 'local', persistentVolumeClaim: { claimName: 'local-claim' } },
      ],
      terminationGracePeriodSeconds: 1,
    }));
    const out = await eventually('pathy output', async () => { const t = await logs(k.port, '/containerLogs/default/pathy/main'); return t.split('\n').length >= 4 ? t : undefined; }, 60_000);
    const lines = out.split('\n');
    assert.equal(lines[0], 'from-hostpath-pv');
    assert.equal(lines[1], 'from-local-pv');
    // limits.cpu unset: the node's allocatable CPUs, rounded up to the divisor (1 core)
    assert.equal(lines[2], `128 ${64 * 1024 * 1024} 250 ${os.cpus().length}`);
    assert.ok(fs.statSync(made).isDirectory(), 'DirectoryOrCreate made the directory');
    assert.equal(fs.readFileSync(path.join(made, 'out'), 'utf8'), 'written\n');
    assert.ok(fs.statSync(file).isFile(), 'FileOrCreate made the file');

    // a type that does not match keeps the pod from starting, with upstream's message
    fs.writeFileSync(path.join(dir, 'plain-file'), '');
    await env.client.resource(PODS).create('default', podManifest('wrongtype', node, {
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '300'], volumeMounts: [{ name: 'd', mountPath: '/d' }, { name: 's', mountPath: '/s' }] }],
      volumes: [{ name: 'd', hostPath: { path: path.join(dir, 'plain-file'), type: 'Directory' } }, { name: 's', hostPath: { path: path.join(dir, 'plain-file'), type: 'Socket' } }],
    }));
    await eventually('FailedMount', () => events('wrongtype').includes(`FailedMount: MountVolume.SetUp failed for volume "d" : hostPath type check failed: ${path.join(dir, 'plain-file')} is not a directory`));
    const stuck = await getPod(env.client, 'wrongtype');
    assert.equal(stuck.status?.phase, 'Pending');
    assert.equal(stuck.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
    await env.client.resource(PODS).delete('default', 'pathy', { gracePeriodSeconds: 1 });
    await env.client.resource(PODS).delete('default', 'wrongtype', { gracePeriodSeconds: 0 });
  });

  it('init containers in order, envFrom, a projected volume of every source, OnFailure restarts; kubectl STATUS along the way', async () => {
    await env.client.resource(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-cfg' }, data: { MODE: 'fast', 'app.conf': 'a=1' } });
    await env.client.resource(SECRETS).create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-sec' },
      data: { TOKEN: Buffer.from('t0ken').toString('base64'), 'db.pass': Buffer.from('hunter2').toString('base64') } });
    const m = '$$CONTAINER_SANDBOX_MOUNT_POINT';
    const gate = path.join(dir, 'init-gate');
    const sh = (script: string) => ['/bin/sh', '-c', script];
    await env.client.resource(PODS).create('default', {
      ...podManifest('initer', node, {
        restartPolicy: 'OnFailure',
        initContainers: [
          { name: 'one', image: 'busybox', command: sh(`echo one >> ${m}/work/order`), volumeMounts: [{ name: 'work', mountPath: '/work' }] },
          { name: 'two', image: 'busybox', command: sh(`while [ ! -e ${gate} ]; do sleep 0.2; done; echo two >> ${m}/work/order`), volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        ],
        containers: [{
          name: 'main', image: 'busybox',
          // the first run fails (OnFailure restarts it), the second succeeds (the pod completes)
          command: sh(`cat ${m}/work/order; echo "$$CFG_MODE $$SEC_TOKEN [$$GONE_X]"; cat ${m}/all/conf; echo; cat ${m}/all/pass; echo; cat ${m}/all/labels; echo; `
            + `cat ${m}/all/name; echo; if [ -e ${m}/work/ran ]; then echo second; exit 0; fi; touch ${m}/work/ran; echo first; exit 3`),
          envFrom: [
            { configMapRef: { name: 'app-cfg' }, prefix: 'CFG_' },
            { secretRef: { name: 'app-sec' }, prefix: 'SEC_' },
            { configMapRef: { name: 'gone', optional: true }, prefix: 'GONE_' },
          ],
          volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'all', mountPath: '/all' }],
        }],
        volumes: [{ name: 'work', emptyDir: {} }, { name: 'all', projected: { sources: [
          { configMap: { name: 'app-cfg', items: [{ key: 'app.conf', path: 'conf' }] } },
          { secret: { name: 'app-sec', items: [{ key: 'db.pass', path: 'pass' }] } },
          { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
        ] } }],
        terminationGracePeriodSeconds: 1,
      }),
      metadata: { name: 'initer', namespace: 'default', labels: { app: 'initer', tier: 'batch' } },
    });
    // the second init container waits for the gate: the pod is Pending at Init:1/2, main not started
    const waiting = await eventually('Init:1/2', () => (/initer\s+0\/1\s+Init:1\/2\s+0\s/.test(env.c.k('get', 'pod', 'initer')) ? true : undefined), 60_000);
    assert.ok(waiting);
    const p1 = await getPod(env.client, 'initer');
    assert.equal(p1.status!.phase, 'Pending');
    assert.equal(p1.status!.initContainerStatuses![0].state!.terminated!.reason, 'Completed');
    assert.ok(p1.status!.initContainerStatuses![1].state!.running, 'two is running');
    assert.equal(p1.status!.containerStatuses![0].state!.waiting!.reason, 'PodInitializing');
    assert.equal(p1.status!.conditions!.find((c) => c.type === 'Initialized')!.status, 'False');
    fs.writeFileSync(gate, '');

    const done = await eventually('initer Succeeded', async () => { const x = await getPod(env.client, 'initer'); return x.status?.phase === 'Succeeded' ? x : undefined; }, 60_000);
    const main = done.status!.containerStatuses![0];
    assert.equal(main.restartCount, 1, 'OnFailure restarted the failed run once');
    assert.equal(main.lastState!.terminated!.exitCode, 3);
    assert.equal(main.lastState!.terminated!.reason, 'Error');
    assert.equal(main.state!.terminated!.exitCode, 0);
    assert.equal(main.state!.terminated!.reason, 'Completed');
    assert.match(env.c.k('get', 'pod', 'initer'), /initer\s+0\/1\s+Completed\s+1 \(\S+ ago\)/);
    const out = (await logs(k.port, '/containerLogs/default/initer/main')).split('\n');
    assert.deepEqual(out.slice(0, 2), ['one', 'two'], 'init containers ran once each, in order');
    assert.equal(out[2], 'fast t0ken []', 'envFrom with prefixes; the optional missing source is skipped');
    assert.equal(out[3], 'a=1');
    assert.equal(out[4], 'hunter2');
    assert.equal(out[5], 'app="initer"', 'labels as upstream writes them: key="value", one a line, sorted');
    assert.equal(out[6], 'tier="batch"');
    assert.equal(out[7], 'initer');
    assert.equal(out[8], 'second');

    // a failing init container under restartPolicy Never fails the pod: main never runs
    await env.client.resource(PODS).create('default', podManifest('badinit', node, {
      restartPolicy: 'Never',
      initContainers: [{ name: 'check', image: 'busybox', command: sh('exit 7') }],
      containers: [{ name: 'main', image: 'busybox', command: sh('echo should-not-run; sleep 300') }],
      terminationGracePeriodSeconds: 1,
    }));
    const failed = await eventually('badinit Failed', async () => { const x = await getPod(env.client, 'badinit'); return x.status?.phase === 'Failed' ? x : undefined; }, 60_000);
    assert.equal(failed.status!.initContainerStatuses![0].state!.terminated!.exitCode, 7);
    assert.equal(failed.status!.initContainerStatuses![0].state!.terminated!.reason, 'Error');
    assert.ok(!failed.status!.containerStatuses![0].state!.running && !failed.status!.containerStatuses![0].state!.terminated, 'main never started');
    assert.match(env.c.k('get', 'pod', 'badinit'), /badinit\s+0\/1\s+Init:Error\s+0\s/);
    for (const name of ['initer', 'badinit']) await env.client.resource(PODS).delete('default', name, { gracePeriodSeconds: 0 });
  });

  it('configMap, secret and downward API volumes follow their objects while the container runs; a deleted source keeps the files', async () => {
    await env.client.resource(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live-cfg' }, data: { greeting: 'v1' } });
    await env.client.resource(SECRETS).create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'live-sec' }, data: { pw: Buffer.from('p1').toString('base64') } });
    const m = '$$CONTAINER_SANDBOX_MOUNT_POINT';
    await env.client.resource(PODS).create('default', {
      ...podManifest('follower', node, {
        containers: [{
          name: 'main', image: 'busybox',
          command: ['/bin/sh', '-c', `while true; do echo "$(cat ${m}/cfg/greeting) $(cat ${m}/info/labels) $(cat ${m}/sec/pw)"; sleep 0.3; done`],
          volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }, { name: 'info', mountPath: '/info' }, { name: 'sec', mountPath: '/sec' }],
        }],
        volumes: [
          { name: 'cfg', configMap: { name: 'live-cfg' } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { name: 'sec', projected: { sources: [{ secret: { name: 'live-sec' } }] } },
        ],
        terminationGracePeriodSeconds: 1,
      }),
      metadata: { name: 'follower', namespace: 'default', labels: { ver: 'a' } },
    });
    const lastLine = async () => (await logs(k.port, '/containerLogs/default/follower/main?tailLines=1')).trim();
    await eventually('first contents', async () => (await lastLine()) === 'v1 ver="a" p1', 60_000);

    await env.client.resource(CONFIGMAPS).patch('default', 'live-cfg', 'merge', { data: { greeting: 'v2' } });
    await env.client.resource(SECRETS).patch('default', 'live-sec', 'merge', { data: { pw: Buffer.from('p2').toString('base64') } });
    await env.client.resource(PODS).patch('default', 'follower', 'merge', { metadata: { labels: { ver: 'b' } } });
    await eventually('the running container sees the new contents', async () => (await lastLine()) === 'v2 ver="b" p2', 60_000);
    const p = await getPod(env.client, 'follower');
    assert.equal(p.status!.containerStatuses![0].restartCount, 0, 'the same container, not a restart');

    // upstream keeps what the pod has when the source goes away, and says so
    await env.client.resource(CONFIGMAPS).delete('default', 'live-cfg');
    await eventually('FailedMount for the missing configmap', () => events('follower').includes('FailedMount: MountVolume.SetUp failed for volume "cfg" : configmap "live-cfg" not found'), 60_000);
    assert.equal(await lastLine(), 'v2 ver="b" p2');
    await env.client.resource(PODS).delete('default', 'follower', { gracePeriodSeconds: 0 });
  });

  it('Service environment variables: the namespace\'s Services unless enableServiceLinks is false, KUBERNETES_SERVICE_* always', async () => {
    const svc = await env.client.resource(SERVICES).create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-svc' },
      spec: { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns-udp', port: 53, protocol: 'UDP' }], selector: { app: 'none' } } });
    const kube = await env.client.resource(SERVICES).get('default', 'kubernetes');
    const ip = svc.spec!.clusterIP!;
    const show = 'echo "$$KUBERNETES_SERVICE_HOST $$KUBERNETES_SERVICE_PORT [$$WEB_SVC_SERVICE_HOST $$WEB_SVC_SERVICE_PORT $$WEB_SVC_SERVICE_PORT_HTTP $$WEB_SVC_SERVICE_PORT_DNS_UDP '
      + '$$WEB_SVC_PORT $$WEB_SVC_PORT_53_UDP $$WEB_SVC_PORT_53_UDP_PROTO $$WEB_SVC_PORT_8080_TCP_PORT $$WEB_SVC_PORT_8080_TCP_ADDR] $$REF"; exec sleep 300';
    for (const [name, links] of [['linked', true], ['unlinked', false]] as const) {
      await env.client.resource(PODS).create('default', podManifest(name, node, {
        enableServiceLinks: links,
        containers: [{ name: 'main', image: 'busybox', command: ['/bin/sh', '-c', show], env: [{ name: 'REF', value: 'via-$(KUBERNETES_SERVICE_HOST)' }] }],
        terminationGracePeriodSeconds: 1,
      }));
    }
    const line = (name: string) => eventually(`${name} output`, async () => (await logs(k.port, `/containerLogs/default/${name}/main`)).trim() || undefined, 60_000);
    const master = `${kube.spec!.clusterIP} ${kube.spec!.ports![0].port}`;
    assert.equal(await line('linked'), `${master} [${ip} 8080 8080 53 tcp://${ip}:8080 udp://${ip}:53 udp 8080 ${ip}] via-${kube.spec!.clusterIP}`);
    assert.equal(await line('unlinked'), `${master} [${' '.repeat(8)}] via-${kube.spec!.clusterIP}`);
    for (const name of ['linked', 'unlinked']) await env.client.resource(PODS).delete('default', name, { gracePeriodSeconds: 0 });
  });
});
