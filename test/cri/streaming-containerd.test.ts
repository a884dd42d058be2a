// The real kubectl against pods that containerd runs, end to end: kubectl → API server →
// tskube kubelet → containerd's streaming server. logs (-f, --previous), exec (plain, -i, -it
// on a terminal; WebSocket and SPDY), attach, port-forward to busybox httpd, cp both ways, and
// the pods' usage from CRI stats in /stats/summary and `kubectl top pods`. Everything runs in
// a network namespace the test makes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { loudSkip } from './harness.js';
import { type CriCluster, eventually, startCriCluster } from './kubelet-env.js';

const skip = loudSkip();

const SPDY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };
const TRANSPORTS: [string, Record<string, string>][] = [['WebSocket', {}], ['SPDY', SPDY]];

describe('kubectl streaming to containerd pods (logs, exec, attach, port-forward, cp, top)', { skip }, () => {
  let c: CriCluster;
  const nsKubectl = (args: string) => `nsenter --net=/run/netns/${c.netns} -- /usr/bin/kubectl --kubeconfig ${c.kubeconfig} ${args}`;
  /** kubectl in the namespace with extra environment (transport switches); stdin optional. */
  const kubectlEnv = (args: string[], env: Record<string, string>, input?: string) =>
    spawnSync('nsenter', [`--net=/run/netns/${c.netns}`, '--', '/usr/bin/kubectl', '--kubeconfig', c.kubeconfig, ...args],
      { input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: c.dir, ...env } });
  const spawnKubectl = (args: string[], env: Record<string, string> = {}) => {
    const child = spawn('nsenter', [`--net=/run/netns/${c.netns}`, '--', '/usr/bin/kubectl', '--kubeconfig', c.kubeconfig, ...args],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HOME: c.dir, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { out += d; });
    return { child, out: () => out };
  };
  const running = (name: string) => eventually(`${name} Running`, async () => {
    const p = await c.pod(name);
    return p.status?.phase === 'Running' && p.status.containerStatuses?.every((s) => s.state?.running);
  }, 120_000);

  before(async () => {
    c = await startCriCluster({ podCIDRFlag: true, apiserverArgs: ['--metric-resolution', '2s', '--kubelet-preferred-address-types', 'InternalIP'] });
    const pod = (name: string, containers: Container[], spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: { nodeName: c.nodeName, terminationGracePeriodSeconds: 2, automountServiceAccountToken: false, containers, ...spec } as NonNullable<Pod['spec']>,
    });
    const pods: Pod[] = [
      pod('shell', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo line-1; sleep 0.3; echo line-2 >&2; sleep 0.3; echo line-3; exec sleep 3600'] }]),
      // the first run exits, the second stays: --previous shows the first
      pod('twice', [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/d' }],
        command: ['sh', '-c', 'n=$(cat /d/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /d/n; echo run-$n; [ $n -ge 2 ] && exec sleep 3600; exit 1'] }],
      { volumes: [{ name: 'd', emptyDir: {} }] }),
      pod('finisher', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo start; sleep 3; echo done'] }], { restartPolicy: 'Never' }),
      pod('web', [{ name: 'httpd', image: 'busybox', command: ['sh', '-c', 'mkdir -p /www && echo "served by $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www'],
        ports: [{ containerPort: 8080 }] }]),
      pod('ticker', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'while true; do echo tick; sleep 0.3; done'] }]),
      // a bounded CPU burner, so `kubectl top` has a non-zero rate to show
      pod('burner', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'while :; do :; done'], resources: { limits: { cpu: '100m', memory: '64Mi' } } }]),
      ...TRANSPORTS.map(([t]) => pod(`reader-${t.toLowerCase()}`, [{ name: 'main', image: 'busybox', stdin: true, stdinOnce: true,
        command: ['sh', '-c', 'echo waiting; while read l; do echo got:$l; done; echo bye'] }], { restartPolicy: 'Never' })),
    ];
    await c.apply({ apiVersion: 'v1', kind: 'List', items: pods });
  });
  after(async () => {
    if (c && process.env.CRI_TEST_DEBUG) process.stderr.write(c.kubelet.output().slice(-20_000));
    await c?.stop();
  });

  describe('kubectl logs', () => {
    test('shows stdout and stderr, --tail and --timestamps', async () => {
      await running('shell');
      await eventually('log lines', async () => {
        const got = await c.k('logs', 'shell');
        if (got !== 'line-1\nline-2\nline-3\n') throw new Error(`log so far: ${JSON.stringify(got)}`);
        return true;
      });
      assert.equal(await c.k('logs', 'shell', '--tail', '1'), 'line-3\n');
      assert.match(await c.k('logs', 'shell', '--timestamps', '-c', 'main'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line-1\n/);
    });
    test('--previous shows the run before the restart', async () => {
      await eventually('second run', async () => (await c.k('logs', 'twice')) === 'run-2\n', 120_000);
      assert.equal(await c.k('logs', 'twice', '--previous'), 'run-1\n');
      const none = await c.kubectl(['logs', 'shell', '--previous']);
      assert.notEqual(none.code, 0);
      assert.match(none.stderr, /previous terminated container "main" in pod "shell" not found/);
    });
    test('-f follows the log until the container ends', async () => {
      await eventually('finisher started', async () => ['Running', 'Succeeded'].includes((await c.pod('finisher')).status?.phase ?? ''), 120_000);
      const r = await c.kubectl(['logs', '-f', 'finisher']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'start\ndone\n');
    });
  });

  describe('kubectl exec', () => {
    for (const [transport, env] of TRANSPORTS) {
      test(`output, exit code and stdin (${transport})`, async () => {
        await running('shell');
        const h = kubectlEnv(['exec', 'shell', '--', 'hostname'], env);
        assert.equal(h.status, 0, h.stderr);
        assert.equal(h.stdout, 'shell\n');
        const e = kubectlEnv(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], env);
        assert.equal(e.status, 3, e.stderr);
        assert.equal(e.stdout, 'out\n');
        assert.match(e.stderr, /err/);
        const i = kubectlEnv(['exec', '-i', 'shell', '--', 'sh', '-c', 'tr a-z A-Z'], env, 'piped through\n');
        assert.equal(i.status, 0, i.stderr);
        assert.equal(i.stdout, 'PIPED THROUGH\n');
      });
    }
    test('-it gives the command a terminal and passes its exit code back', async () => {
      await running('shell');
      const r = spawnSync('script', ['-qec', nsKubectl(`exec -it shell -- sh -c 'tty; stty size; exit 4'`), '/dev/null'],
        { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: c.dir } });
      assert.match(r.stdout, /\/dev\/pts\/\d+/, r.stderr);
      assert.equal(r.status, 4, r.stdout);
    });
    test('-it runs an interactive shell', async () => {
      await running('shell');
      const child = spawn('script', ['-qec', nsKubectl('exec -it shell -- sh'), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HOME: c.dir } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d; });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      try {
        await eventually('a prompt', () => { if (!/[#$] /.test(out)) throw new Error(`output so far: ${JSON.stringify(out)}`); return true; });
        child.stdin.write('echo hi-$((40+2))\n');
        await eventually('the answer', () => /hi-42\r?\n/.test(out));
        child.stdin.write('exit 7\n');
        assert.equal(await exited, 7, out);
      } finally {
        child.kill();
      }
    });
  });

  describe('kubectl attach', () => {
    for (const [transport, env] of TRANSPORTS) {
      test(`-i joins the container's stdin and stdout (${transport})`, async () => {
        const name = `reader-${transport.toLowerCase()}`;
        await running(name);
        const r = kubectlEnv(['attach', '-i', name], env, 'one\ntwo\n');
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /got:one\ngot:two\n/);
        // stdinOnce: the first client's end of input ends the container's stdin
        await eventually(`${name} Succeeded`, async () => (await c.pod(name)).status?.phase === 'Succeeded', 60_000);
      });
    }
    test('streams a running container\'s output without -i', async () => {
      await running('ticker');
      const a = spawnKubectl(['attach', 'ticker']);
      try {
        await eventually('ticks arrive', () => (a.out().match(/tick/g) ?? []).length >= 2);
      } finally {
        a.child.kill();
      }
    });
  });

  describe('kubectl port-forward', () => {
    let local = 20000 + (process.pid % 20000);
    for (const [transport, env] of TRANSPORTS) {
      test(`reaches busybox httpd in the pod (${transport})`, async () => {
        await running('web');
        const port = local++;
        // -v=6 shows kubectl falling back from the WebSocket tunnel to SPDY, which must not happen
        const pf = spawnKubectl(['port-forward', 'pod/web', `${port}:8080`, '-v=6'], env);
        try {
          await eventually('forwarding', () => pf.out().includes(`Forwarding from 127.0.0.1:${port}`));
          const got = await eventually('an answer', async () => {
            const r = await c.inNetns(['/bin/busybox', 'wget', '-q', '-O', '-', `http://127.0.0.1:${port}/index.html`]);
            return r.code === 0 ? r.stdout : undefined;
          }, 30_000);
          assert.equal(got, 'served by web\n');
          assert.doesNotMatch(pf.out(), /fallback to secondary dialer/);
        } finally {
          pf.child.kill();
        }
      });
    }
    for (const [transport, env] of TRANSPORTS) {
      test(`a closed port in the pod: kubectl prints containerd's error and exits (${transport})`, async () => {
        await running('web');
        const port = local++;
        const pf = spawnKubectl(['port-forward', 'pod/web', `${port}:9`], env);
        const exited = new Promise<number | null>((r) => pf.child.once('exit', (code) => r(code)));
        try {
          await eventually('forwarding', () => pf.out().includes(`Forwarding from 127.0.0.1:${port}`));
          // busybox nc, not wget: Debian's busybox 1.35 wget with -T crashes before it connects
          await c.inNetns(['/bin/busybox', 'nc', '127.0.0.1', String(port)], '');
          // upstream's streaming server writes the error on the pair's error stream; kubectl prints it and drops the connection
          await eventually('the error', () => /an error occurred forwarding \d+ -> 9: error forwarding port 9 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\?"[^"]+": .*connect: connection refused/.test(pf.out()), 30_000)
            .catch((err) => { throw new Error(`${(err as Error).message}; kubectl said: ${pf.out()}`); });
          assert.equal(await exited, 1);
          assert.match(pf.out(), /error: lost connection to pod/);
        } finally {
          pf.child.kill();
        }
      });
    }
  });

  describe('kubectl cp', () => {
    test('copies a file into the pod and back out', async () => {
      await running('shell');
      const src = path.join(c.dir, 'to-pod.txt');
      const text = `copied ${'x'.repeat(100_000)} end\n`;
      fs.writeFileSync(src, text);
      await c.k('cp', src, 'shell:/tmp/in-pod.txt');
      assert.equal((await c.k('exec', 'shell', '--', 'wc', '-c', '/tmp/in-pod.txt')).trim().split(/\s+/)[0], String(text.length));
      const back = path.join(c.dir, 'from-pod.txt');
      await c.k('cp', 'shell:/tmp/in-pod.txt', back);
      assert.equal(fs.readFileSync(back, 'utf8'), text);
      // a directory out of the pod
      await c.k('exec', 'shell', '--', 'sh', '-c', 'mkdir -p /tmp/dir/sub && echo a > /tmp/dir/a && echo b > /tmp/dir/sub/b');
      const dir = path.join(c.dir, 'dir-out');
      await c.k('cp', 'shell:/tmp/dir', dir);
      assert.equal(fs.readFileSync(path.join(dir, 'sub', 'b'), 'utf8'), 'b\n');
    });
  });

  describe('usage from CRI stats', () => {
    test('/stats/summary reports containerd-run pods with CPU, memory and network', async () => {
      await running('burner');
      type Summary = { node: { nodeName: string; cpu?: { usageCoreNanoSeconds: number }; memory?: { workingSetBytes: number } };
        pods: { podRef: { name: string; uid: string }; containers: { name: string; cpu: { usageCoreNanoSeconds: number; usageNanoCores?: number }; memory: { workingSetBytes: number } }[];
          cpu: { usageCoreNanoSeconds: number }; memory: { workingSetBytes: number }; network?: { name: string; rxBytes: number } }[] };
      const get = async () => JSON.parse(await c.k('get', '--raw', `/api/v1/nodes/${c.nodeName}/proxy/stats/summary`)) as Summary;
      // the first read's rate can be containerd's own, over the few ms since its previous stats
      // call; from the second read on (polls >= 1 s apart) it is the kubelet's over >= 1 s
      let measured = 0;
      const s = await eventually('burner measured twice', async () => {
        const x = await get();
        const b = x.pods.find((p) => p.podRef.name === 'burner');
        if (b?.containers[0]?.cpu.usageNanoCores === undefined) return undefined;
        return ++measured >= 2 ? x : undefined;
      }, 60_000, 1000);
      assert.equal(s.node.nodeName, c.nodeName);
      assert.ok(s.node.cpu!.usageCoreNanoSeconds > 0 && s.node.memory!.workingSetBytes > 0);
      const burner = s.pods.find((p) => p.podRef.name === 'burner')!;
      assert.equal(burner.podRef.uid, (await c.pod('burner')).metadata!.uid);
      const main = burner.containers.find((x) => x.name === 'main')!;
      assert.ok(main.cpu.usageCoreNanoSeconds > 0, JSON.stringify(main));
      // the 100m limit bounds the burner: some CPU, never more than the quota (with slack for a window edge)
      assert.ok(main.cpu.usageNanoCores! > 5_000_000 && main.cpu.usageNanoCores! < 200_000_000, JSON.stringify(main));
      assert.ok(main.memory.workingSetBytes > 0 && main.memory.workingSetBytes < 64 * 1024 * 1024, JSON.stringify(main));
      assert.ok(burner.cpu.usageCoreNanoSeconds >= main.cpu.usageCoreNanoSeconds * 0.9);
      const shell = s.pods.find((p) => p.podRef.name === 'shell');
      assert.ok(shell && shell.memory.workingSetBytes > 0);
      // a pod's own network namespace: eth0 with traffic counters (ListPodSandboxStats)
      const web = s.pods.find((p) => p.podRef.name === 'web')!;
      assert.equal(web.network?.name, 'eth0', JSON.stringify(web));
    });
    test('kubectl top pods shows them', async () => {
      const row = await eventually('burner in kubectl top', async () => {
        const r = await c.kubectl(['top', 'pods', '--no-headers']);
        const line = r.stdout.split('\n').find((l) => l.startsWith('burner '));
        return line && /burner\s+(\d+)m\s+(\d+)Mi/.exec(line);
      }, 90_000, 1000);
      assert.ok(Number(row[1]) >= 5 && Number(row[1]) <= 200, row[0]);
      assert.ok(Number(row[2]) >= 0 && Number(row[2]) < 64, row[0]);
      const containers = await c.k('top', 'pod', 'shell', '--containers', '--no-headers');
      assert.match(containers, /^shell\s+main\s+\d+m\s+\d+Mi/m);
    });
  });
});
