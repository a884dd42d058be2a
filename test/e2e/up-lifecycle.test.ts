// `tskube up`'s other ways in and out, on one cluster against a real etcd the test runs:
// bad flags (exit 2, one clear line), `up -d` + `tskube kubeconfig` + `tskube down`,
// `--etcd-servers` (no etcd static pod), the pass-through flags of the API server,
// scheduler and kubelets seen in effect, a second `up` on a running data dir refused,
// and Ctrl-C (SIGINT) stopping a foreground cluster with no process left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { alive, clusterProcesses, stopCluster } from '../../src/admin/up/processes.js';
import { freePort, kubectl, kubectlJSON, sleep, startUp, stopUp, waitFor, type UpProcess } from './up-harness.js';

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const run = promisify(execFile);

interface Result { code: number; stdout: string; stderr: string }
async function tskube(args: string[], timeout = 300_000): Promise<Result> {
  try {
    const r = await run(process.execPath, [main, ...args], { timeout });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The real etcd 3.4 on free loopback ports (plain HTTP), its data in dir. */
async function startEtcd(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const child = spawn('/usr/bin/etcd', ['--name', 'ext', '--data-dir', dir, '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `ext=http://127.0.0.1:${peer}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`etcd did not start: ${text}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (/ready to serve client requests/.test(text)) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`etcd exited with ${code}: ${text}`)); });
  });
  return { child, url };
}

const cmdline = (pid: number): string => {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { return ''; }
};

test('tskube up: bad flags are refused with exit code 2 and one clear line', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-upflags-'));
  try {
    const cases: [string[], RegExp][] = [
      [['--nodes', '0'], /--nodes <n>' argument '0' is invalid\. want a whole number ≥ 1/],
      [['--runtime', 'docker'], /--runtime <runtime>' argument 'docker' is invalid\. Allowed choices are hollow, containerd/],
      [['--apiserver-port', '70000'], /want a port number 1-65535/],
      [['--kubelet-arg', '=oops'], /--kubelet-arg "=oops": want name=value/],
      [['--name', 'Bad_Name'], /invalid cluster name "Bad_Name"/],
      [['--no-such-flag'], /unknown option '--no-such-flag'/],
    ];
    for (const [args, want] of cases) {
      const r = await tskube(['up', '--data-dir', dir, ...args], 60_000);
      assert.equal(r.code, 2, `up ${args.join(' ')} exits 2 (${r.stderr})`);
      assert.match(r.stderr, want);
    }
    // nothing was created for a refused command line
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tskube up -d on an external etcd: kubeconfig, pass-through flags, one up per data dir, down, then Ctrl-C', { timeout: 1_200_000 }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-uplife-'));
  const dir = path.join(tmp, 'cluster');
  const name = `upl${process.pid}`;
  const admin = path.join(dir, 'admin.conf');
  const etcd = await startEtcd(path.join(tmp, 'etcd'));
  const port = await freePort();
  const args = ['--name', name, '--apiserver-port', String(port), '--nodes', '2', '--runtime', 'hollow', '--wait', '280',
    '--etcd-servers', etcd.url,
    '--kube-apiserver-arg', 'service-node-port-range=31000-31010',
    '--kube-scheduler-arg', `leader-elect-resource-name=sched-${name}`,
    '--kubelet-arg', 'max-pods=7'];
  let fg: UpProcess | undefined;
  t.after(async () => {
    if (fg) await stopUp(fg, dir);
    await tskube(['down', '--name', name, '--data-dir', dir], 60_000);
    if (clusterProcesses(dir).length) await stopCluster(dir, [], 2000);
    etcd.child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const started = await tskube(['up', '-d', '--data-dir', dir, ...args]);
  assert.equal(started.code, 0, `up -d: ${started.stdout}${started.stderr}`);
  assert.match(started.stdout, new RegExp(`Cluster "${name}" is up`));
  assert.match(started.stdout, new RegExp(`Running in the background \\(pid \\d+\\); stop it with \`tskube down --name ${name} --data-dir ${dir}\``));
  const upPid = Number(fs.readFileSync(path.join(dir, 'tskube-up.pid'), 'utf8'));
  assert.ok(alive(upPid), 'the detached up process runs on');

  await t.test('tskube kubeconfig prints admin.conf, which kubectl uses as is', async () => {
    const r = await tskube(['kubeconfig', '--name', name, '--data-dir', dir], 60_000);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, fs.readFileSync(admin, 'utf8'));
    const copy = path.join(tmp, 'printed.conf');
    fs.writeFileSync(copy, r.stdout);
    assert.match(await kubectl(copy, ['get', 'nodes']), new RegExp(`${name}-worker\\s+Ready`));
    const none = await tskube(['kubeconfig', '--name', 'nothere', '--data-dir', path.join(tmp, 'nothere')], 60_000);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no cluster "nothere" in .*nothere \(no admin\.conf\); create it with `tskube up --name nothere`/);
  });

  await t.test('--etcd-servers: no etcd static pod, the objects live in the external etcd', async () => {
    assert.ok(!fs.existsSync(path.join(dir, 'manifests', 'etcd.yaml')));
    const pods = await kubectlJSON<{ items: { metadata: { name: string } }[] }>(admin, ['get', 'pods', '-n', 'kube-system']);
    const names = pods.items.map((p) => p.metadata.name);
    assert.ok(!names.some((n) => n.startsWith('etcd-')), `no etcd pod: ${names.join(' ')}`);
    assert.ok(names.includes(`kube-apiserver-${name}-control-plane`));
    await kubectl(admin, ['create', 'configmap', 'kept', '--from-literal=k=v']);
    const { stdout } = await run('/usr/bin/etcdctl', ['--endpoints', etcd.url, 'get', '/registry/configmaps/default/kept', '--keys-only'], { env: { ...process.env, ETCDCTL_API: '3' } });
    assert.equal(stdout.trim(), '/registry/configmaps/default/kept');
  });

  await t.test('pass-through flags reach the API server, the scheduler and every kubelet', async () => {
    assert.match(fs.readFileSync(path.join(dir, 'manifests', 'kube-apiserver.yaml'), 'utf8'), /--service-node-port-range=31000-31010/);
    const svc = (nodePort: number) => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `np${nodePort}` },
      spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80, nodePort }] } });
    const file = path.join(tmp, 'svc.json');
    fs.writeFileSync(file, svc(30080));
    const bad = await run('/usr/bin/kubectl', ['create', '-f', file], { env: { ...process.env, KUBECONFIG: admin } }).then(() => '', (e: { stderr: string }) => e.stderr);
    assert.match(bad, /provided port is not in the valid range\. The range of valid ports is 31000-31010/);
    fs.writeFileSync(file, svc(31005));
    await kubectl(admin, ['create', '-f', file]);

    await waitFor('the scheduler\'s Lease under its passed-through name', async () =>
      (await kubectl(admin, ['get', 'lease', '-n', 'kube-system', `sched-${name}`, '-o', 'name'])).trim() === `lease.coordination.k8s.io/sched-${name}`, 120_000);

    const nodes = await kubectlJSON<{ items: { metadata: { name: string }; status: { capacity: Record<string, string> } }[] }>(admin, ['get', 'nodes']);
    assert.equal(nodes.items.length, 2);
    for (const n of nodes.items) assert.equal(n.status.capacity.pods, '7', `${n.metadata.name} --max-pods=7`);
    const kubelets = clusterProcesses(dir).map(cmdline).filter((c) => / kubelet /.test(c));
    assert.ok(kubelets.length >= 1 && kubelets.every((c) => c.includes('--max-pods=7')), kubelets.join('\n'));
  });

  await t.test('a second up on the running data dir is refused and changes nothing', async () => {
    const before = clusterProcesses(dir).sort();
    for (const extra of [[], ['-d']]) {
      const r = await tskube(['up', ...extra, '--data-dir', dir, ...args], 120_000);
      assert.equal(r.code, 1, `second up ${extra.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`error: cluster "${name}" is already running \\(pid ${upPid}, data dir ${dir}\\); stop it with \`tskube down --name ${name}\``));
    }
    assert.equal(Number(fs.readFileSync(path.join(dir, 'tskube-up.pid'), 'utf8')), upPid);
    assert.deepEqual(clusterProcesses(dir).sort(), before);
    assert.ok(alive(upPid));
  });

  await t.test('tskube down stops every process of the detached cluster', async () => {
    const r = await tskube(['down', '--name', name, '--data-dir', dir], 120_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Stopped cluster "${name}".\n`);
    assert.ok(!alive(upPid));
    assert.deepEqual(clusterProcesses(dir), []);
    assert.ok(!fs.existsSync(path.join(dir, 'tskube-up.pid')));
    const again = await tskube(['down', '--name', name, '--data-dir', dir], 60_000);
    assert.equal(again.code, 0);
    assert.match(again.stdout, new RegExp(`Cluster "${name}" is not running \\(data dir ${dir}\\)\\.`));
  });

  await t.test('in the foreground, Ctrl-C (SIGINT) stops the cluster; its objects stayed in etcd', async () => {
    fg = startUp(dir, args);
    await fg.ready();
    assert.equal((await kubectl(admin, ['get', 'configmap', 'kept', '-o', 'jsonpath={.data.k}'])).trim(), 'v');
    assert.ok(clusterProcesses(dir).length >= 4);
    process.kill(fg.child.pid!, 'SIGINT');
    const code = await Promise.race([fg.exited, sleep(90_000).then(() => 'timeout')]);
    assert.equal(code, 0, fg.output);
    assert.match(fg.output, new RegExp(`Received SIGINT: stopping cluster "${name}"`));
    assert.match(fg.output, /Stopped\./);
    assert.deepEqual(clusterProcesses(dir), [], 'no process of the cluster left');
    assert.ok(!fs.existsSync(path.join(dir, 'tskube-up.pid')));
  });
});
