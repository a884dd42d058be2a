// `tskube up --runtime hollow --nodes 3` end to end, with the real kubectl over client-cert
// auth: nodes Ready, control-plane static pods Running, a Deployment across the workers,
// a static pod by file, a killed control-plane process restarted by the kubelet, a killed
// worker kubelet's node going NotReady, a clean stop, and a restart that keeps the objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { clusterProcesses } from '../../src/admin/up/processes.js';
import { newRegistry } from '../../src/controllers/all-controllers.js';
import { findProcess, freePort, kubectl, kubectlJSON, startUp, stopUp, waitFor, type UpProcess } from './up-harness.js';

interface Condition { type: string; status: string }
interface Item {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { nodeName?: string; taints?: { key: string; effect: string }[] };
  status: { phase?: string; conditions?: Condition[]; containerStatuses?: { restartCount: number; ready: boolean }[] };
}
interface List { items: Item[] }

const NAME = 'upe2e';
const CP = `${NAME}-control-plane`;
const WORKERS = [`${NAME}-worker`, `${NAME}-worker2`];
const cond = (i: Item, type: string) => i.status.conditions?.find((c) => c.type === type)?.status;

/** A request with no credentials at all. */
function anonymousGet(port: number, urlPath: string): Promise<{ status: number; body: { message?: string } }> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: urlPath, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { message?: string } }));
    }).on('error', reject);
  });
}

test('tskube up: a 3-node hollow cluster, its static control plane, and its life cycle', { timeout: 1_200_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-up-'));
  const admin = path.join(dir, 'admin.conf');
  const port = await freePort();
  // The grace period must stay well above the kubelet's 10 s lease renewal (upstream keeps
  // 40 s against 10 s): at 10 s a healthy node on a loaded machine went Unknown too.
  const args = ['--name', NAME, '--apiserver-port', String(port), '--nodes', '3', '--runtime', 'hollow', '--wait', '280',
    '--kube-controller-manager-arg', 'node-monitor-grace-period=25s', '--kube-controller-manager-arg', 'node-monitor-period=2s'];
  let up: UpProcess = startUp(dir, args);
  t.after(async () => {
    await stopUp(up, dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await up.ready();
  assert.match(up.output, new RegExp(`export KUBECONFIG=${admin.replace(/[.]/g, '\\.')}`));

  await t.test('all nodes Ready; the control plane labelled and tainted', async () => {
    const nodes = await kubectlJSON<List>(admin, ['get', 'nodes']);
    assert.deepEqual(nodes.items.map((n) => n.metadata.name).sort(), [CP, ...WORKERS]);
    for (const n of nodes.items) assert.equal(cond(n, 'Ready'), 'True', `${n.metadata.name} Ready`);
    const cp = nodes.items.find((n) => n.metadata.name === CP)!;
    assert.equal(cp.metadata.labels?.['node-role.kubernetes.io/control-plane'], '');
    assert.deepEqual(cp.spec.taints?.map((x) => `${x.key}:${x.effect}`), ['node-role.kubernetes.io/control-plane:NoSchedule']);
    for (const w of nodes.items.filter((n) => n.metadata.name !== CP)) assert.ok(!w.spec.taints?.length, `${w.metadata.name} untainted`);
    assert.match(await kubectl(admin, ['get', 'nodes']), new RegExp(`${CP}\\s+Ready\\s+control-plane`));
  });

  await t.test('kube-system runs the control plane as static pods', async () => {
    const pods = await kubectlJSON<List>(admin, ['get', 'pods', '-n', 'kube-system']);
    for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      const p = pods.items.find((x) => x.metadata.name === `${c}-${CP}`);
      assert.ok(p, `${c}-${CP} listed`);
      assert.equal(p.status.phase, 'Running', `${c} Running`);
      assert.equal(p.spec.nodeName, CP);
      assert.equal(typeof p.status.containerStatuses?.[0]?.restartCount, 'number');
    }
    const text = await kubectl(admin, ['get', 'pods', '-n', 'kube-system']);
    assert.match(text, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    assert.match(text, new RegExp(`kube-apiserver-${CP}\\s+1/1\\s+Running\\s+\\d+`));
  });

  await t.test('the admin is who admin.conf\'s certificate says', async () => {
    const who = await kubectl(admin, ['auth', 'whoami']).catch((e: Error) => e.message);
    // kubectl auth whoami needs SelfSubjectReview; when served, it must name the certificate's user
    if (!/not found|could not find|NotFound|the server doesn't have/.test(who)) assert.match(who, /kubernetes-admin/);
  });

  await t.test('the cluster is secured as kubeadm\'s: Node,RBAC and NodeRestriction; anonymous is only a visitor', async () => {
    const manifest = fs.readFileSync(path.join(dir, 'manifests', 'kube-apiserver.yaml'), 'utf8');
    assert.match(manifest, /--authorization-mode=Node,RBAC/);
    assert.match(manifest, /--enable-admission-plugins=NodeRestriction/);
    assert.match(fs.readFileSync(path.join(dir, 'manifests', 'kube-controller-manager.yaml'), 'utf8'), /--use-service-account-credentials/);
    const anon = await anonymousGet(port, '/api/v1/namespaces/default/pods');
    assert.equal(anon.status, 403);
    assert.equal(anon.body.message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
    assert.equal((await anonymousGet(port, '/version')).status, 200);
    const asScheduler = await kubectl(admin, ['auth', 'can-i', 'create', 'pods', '--subresource', 'binding', '--as', 'system:kube-scheduler']);
    assert.equal(asScheduler.trim(), 'yes');
    const schedulerSecrets = await kubectl(admin, ['auth', 'can-i', 'get', 'secrets', '--as', 'system:kube-scheduler']).catch((e: { stdout?: string }) => e.stdout ?? '');
    assert.equal(schedulerSecrets.trim(), 'no');
  });

  await t.test('a Deployment\'s pods run Ready on the workers', async () => {
    await kubectl(admin, ['create', 'deployment', 'web', '--image=busybox', '--replicas=4', '--', 'sleep', '3600']);
    const pods = await waitFor('4 web pods Running and Ready', async () => {
      const l = await kubectlJSON<List>(admin, ['get', 'pods', '-l', 'app=web']);
      const ok = l.items.filter((p) => p.status.phase === 'Running' && cond(p, 'Ready') === 'True');
      return ok.length === 4 && ok;
    }, 120_000);
    const nodes = new Set(pods.map((p) => p.spec.nodeName));
    for (const n of nodes) assert.ok(WORKERS.includes(n ?? ''), `scheduled on a worker, not ${n}`);
    assert.equal(nodes.size, 2, 'spread across both workers');
  });

  await t.test('logs and exec reach the kubelets (client certificates, Webhook authorization)', async () => {
    assert.match(await kubectl(admin, ['logs', '-n', 'kube-system', `kube-apiserver-${CP}`]), /serving securely on/);
    const mount = await kubectl(admin, ['exec', '-n', 'kube-system', `kube-apiserver-${CP}`, '--', 'sh', '-c', 'echo $CONTAINER_SANDBOX_MOUNT_POINT']);
    assert.match(mount, new RegExp(`nodes/${CP}/pods/.+/host-process/kube-apiserver`));
    const web = (await kubectlJSON<List>(admin, ['get', 'pods', '-l', 'app=web'])).items[0];
    // hollow pods simulate the few commands they can
    assert.equal(await kubectl(admin, ['exec', web.metadata.name, '--', 'hostname']), `${web.metadata.name}\n`);
    const failed = await kubectl(admin, ['exec', web.metadata.name, '--', 'sh', '-c', 'exit 3']).catch((e: Error) => e.message);
    assert.match(failed, /command terminated with exit code 3/);
  });

  await t.test('a static pod added and removed by file', async () => {
    const file = path.join(dir, 'manifests', 'static-sleeper.yaml');
    fs.writeFileSync(file, [
      'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: static-sleeper', '  namespace: default', 'spec:', '  hostNetwork: true',
      '  containers:', '  - name: sleeper', '    image: busybox', `    command: ["/bin/sleep", "3600${port}"]`, '',
    ].join('\n'));
    await waitFor('the mirror pod Running', async () => {
      const p = await kubectlJSON<Item>(admin, ['get', 'pod', `static-sleeper-${CP}`]);
      return p.status.phase === 'Running';
    }, 120_000);
    assert.ok(findProcess(['/bin/sleep', `3600${port}`]), 'the static pod is a real process');
    fs.rmSync(file);
    await waitFor('the mirror pod gone', async () => !(await kubectl(admin, ['get', 'pods', '--no-headers'])).includes(`static-sleeper-${CP}`), 120_000);
    await waitFor('the process gone', async () => !findProcess(['/bin/sleep', `3600${port}`]), 30_000);
  });

  await t.test('a killed control-plane process is restarted by the kubelet', async () => {
    const marker = `--kubeconfig=${path.join(dir, 'scheduler.conf')}`;
    const pid = findProcess(['scheduler', marker]);
    assert.ok(pid, 'kube-scheduler process found');
    process.kill(pid, 'SIGKILL');
    await waitFor('kube-scheduler restarted', async () => {
      const p = await kubectlJSON<Item>(admin, ['get', 'pod', '-n', 'kube-system', `kube-scheduler-${CP}`]);
      const again = findProcess(['scheduler', marker]);
      return (p.status.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p.status.phase === 'Running' && again && again !== pid;
    }, 120_000);
  });

  // NotReady is written by the controller manager's node lifecycle controller
  const nodeLifecycle = newRegistry().names().some((n) => /node-?lifecycle/.test(n));
  await t.test('a worker whose kubelet is killed goes NotReady', { skip: nodeLifecycle ? false : 'the controller manager has no node-lifecycle-controller yet' }, async () => {
    const pid = findProcess(['kubelet', `--hostname-override=${WORKERS[1]}`]);
    assert.ok(pid, 'worker kubelet found');
    process.kill(pid, 'SIGKILL');
    await waitFor(`${WORKERS[1]} NotReady`, async () => {
      const n = await kubectlJSON<Item>(admin, ['get', 'node', WORKERS[1]]);
      return cond(n, 'Ready') !== 'True';
    }, 120_000);
    const other = await kubectlJSON<Item>(admin, ['get', 'node', WORKERS[0]]);
    assert.equal(cond(other, 'Ready'), 'True');
  });

  await t.test('SIGTERM stops every process; a second up brings the objects back', async () => {
    assert.ok(clusterProcesses(dir).length >= 5);
    assert.equal(await stopUp(up, dir), 0);
    assert.deepEqual(clusterProcesses(dir), [], 'no process of the cluster left');
    assert.ok(!fs.existsSync(path.join(dir, 'tskube-up.pid')));

    up = startUp(dir, args);
    await up.ready();
    assert.match(up.output, /Using \d+ existing certificates/);
    const d = await kubectlJSON<{ spec: { replicas: number } }>(admin, ['get', 'deployment', 'web']);
    assert.equal(d.spec.replicas, 4);
    const nodes = await kubectlJSON<List>(admin, ['get', 'nodes']);
    for (const n of nodes.items) assert.equal(cond(n, 'Ready'), 'True', `${n.metadata.name} Ready after restart`);
    assert.equal(await stopUp(up, dir), 0);
    assert.deepEqual(clusterProcesses(dir), []);
  });
});
