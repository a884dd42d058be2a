// kubectl logs, exec (with and without -it), attach, port-forward and cp through the real
// kubectl → tskube apiserver → tskube kubelet → host-process runtime, over both transports
// kubectl 1.32 speaks (WebSocket first, SPDY as fallback), plus the kubelet's own
// authentication (401) and authorization (403) and the API server's RBAC on pods/exec.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { freePort, TOKEN } from '../apiserver/harness.js';
import { eventually, getPod, podManifest } from './harness.js';
import { type StreamingEnv, startStreamingEnv } from './streaming-harness.js';
import { CONFIGMAPS, NODES, PODS } from '../../src/client/index.js';

const SPDY_ONLY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };
const TRANSPORTS: [string, Record<string, string>][] = [['WebSocket', {}], ['SPDY', SPDY_ONLY]];

describe('streaming through the API server and the kubelet (host-process runtime)', () => {
  let env: StreamingEnv;
  let work: string;

  const createPod = async (name: string, command: string[], extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => {
    const pod = podManifest(name, env.node, { containers: [{ name: 'main', image: 'busybox', command, ...container }], ...extra });
    await env.client.resource(PODS).create('default', pod);
  };
  const running = async (name: string): Promise<Pod> => {
    let last: unknown;
    return eventually(`${name} Running`, async () => {
      const p = await getPod(env.client, name);
      last = p.status;
      return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running ? p : undefined;
    }).catch((err: Error) => { throw new Error(`${err.message}; status ${JSON.stringify(last)}`); });
  };

  before(async () => {
    env = await startStreamingEnv();
    work = fs.mkdtempSync(path.join(env.c.dir, 'work-'));
    // what the root-CA publisher would provide: service-account volumes project it
    await env.client.resource(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'test-ca' } });
    await createPod('shell', ['sh', '-c', 'echo ready; exec sleep 600']);
    await running('shell');
  });
  after(async () => {
    if (process.env.KUBELET_DEBUG) process.stderr.write(env?.kubelet.output() ?? '');
    await env?.stop();
  });

  for (const [transport, extra] of TRANSPORTS) {
    it(`exec runs a command and passes its exit code back (${transport})`, () => {
      const r = env.kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; pwd'], { env: extra });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^out\n/);
      assert.match(r.stderr, /err/);
      const bad = env.kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo before; exit 3'], { env: extra });
      assert.equal(bad.code, 3, bad.stderr);
      assert.match(bad.stdout, /before/);
      assert.match(bad.stderr, /command terminated with exit code 3/);
    });

    it(`exec -i feeds stdin and ends it (${transport})`, () => {
      const r = env.kubectl(['exec', '-i', 'shell', '--', 'sh', '-c', 'cat; echo end'], { env: extra, input: 'line one\nline two\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'line one\nline two\nend\n');
    });
  }

  describe('kubectl logs', () => {
    before(async () => {
      await createPod('talker', ['sh', '-c', 'echo line-1; echo line-2; echo line-3; echo line-4 >&2; sleep 4; echo late; exec sleep 600']);
      const marker = path.join(work, 'crashed-once');
      await createPod('crasher', ['sh', '-c', `if [ -f ${marker} ]; then echo second-run; exec sleep 600; else touch ${marker}; echo first-run; exit 1; fi`], { restartPolicy: 'OnFailure' });
      await createPod('finisher', ['sh', '-c', 'echo start; sleep 2; echo done'], { restartPolicy: 'Never' });
      await env.client.resource(PODS).create('default', podManifest('two', env.node, {
        containers: [{ name: 'a', image: 'busybox', command: ['sh', '-c', 'echo from-a; exec sleep 600'] }, { name: 'b', image: 'busybox', command: ['sh', '-c', 'echo from-b; exec sleep 600'] }],
      }));
      await running('talker');
      await eventually('talker printed late', () => /late/.test(env.kubectl(['logs', 'talker']).stdout));
    });

    it('shows the log, with --tail, --limit-bytes, --timestamps and --since-time', () => {
      assert.equal(env.kubectl(['logs', 'talker']).stdout, 'line-1\nline-2\nline-3\nline-4\nlate\n');
      assert.equal(env.kubectl(['logs', 'talker', '--tail=2']).stdout, 'line-4\nlate\n');
      assert.equal(env.kubectl(['logs', 'talker', '--limit-bytes=9']).stdout, 'line-1\nli');
      const stamped = env.kubectl(['logs', 'talker', '--timestamps']).stdout.trim().split('\n');
      assert.equal(stamped.length, 5);
      for (const l of stamped) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line-\d|late$/);
      const lateAt = stamped[4].split(' ')[0];
      assert.equal(env.kubectl(['logs', 'talker', `--since-time=${lateAt}`]).stdout, 'late\n');
      assert.equal(env.kubectl(['logs', 'talker', '--since=1h']).stdout.split('\n').length, 6);
    });

    it('picks a container with -c and reports the previous attempt with --previous', async () => {
      await running('two');
      await eventually('both containers logged', () => env.kubectl(['logs', 'two', '-c', 'b']).stdout === 'from-b\n');
      assert.equal(env.kubectl(['logs', 'two', '-c', 'a']).stdout, 'from-a\n');
      const bad = env.kubectl(['logs', 'two', '-c', 'nope']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /container nope is not valid for pod two/);
      await eventually('crasher restarted', async () => ((await getPod(env.client, 'crasher')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000);
      await eventually('second run logged', () => env.kubectl(['logs', 'crasher']).stdout === 'second-run\n');
      assert.equal(env.kubectl(['logs', 'crasher', '--previous']).stdout, 'first-run\n');
      const none = env.kubectl(['logs', 'talker', '--previous']);
      assert.notEqual(none.code, 0);
      assert.match(none.stderr, /previous terminated container "main" in pod "talker" not found/);
    });

    it('follows a log with -f until the container ends', async () => {
      const r = env.kubectl(['logs', '-f', 'finisher'], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'start\ndone\n');
    });
  });

  describe('exec on a terminal (-it)', () => {
    const viaScript = (cmd: string, input = '') => {
      const kubectl = `/usr/bin/kubectl --kubeconfig ${env.c.kubeconfig} ${cmd}`;
      return spawnSync('script', ['-qec', kubectl, '/dev/null'], { input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: env.c.dir } });
    };
    it('gives the command a terminal and passes its exit code back', () => {
      const r = viaScript(`exec -it shell -- sh -c 'tty; exit 4'`);
      assert.match(r.stdout, /\/dev\/pts\/\d+/, r.stderr);
      assert.equal(r.status, 4, r.stdout);
    });
    it('runs an interactive shell', async () => {
      // typed after the prompt, as a person would (input sent earlier may be flushed by the shell)
      const kubectl = `/usr/bin/kubectl --kubeconfig ${env.c.kubeconfig} exec -it shell -- sh`;
      const child = spawn('script', ['-qec', kubectl, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HOME: env.c.dir, PS1: '$ ' } });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => { out += d; });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      try {
        await eventually('a prompt', () => /[#$] $/.test(out));
        child.stdin!.write('echo hi-$((40+2))\n');
        await eventually('the answer', () => /hi-42\r?\n/.test(out));
        child.stdin!.write('exit 7\n');
        assert.equal(await exited, 7, out);
      } finally {
        child.kill();
      }
    });
  });

  describe('kubectl attach', () => {
    for (const [transport, extra] of TRANSPORTS) {
      it(`joins the container's stdin and stdout (${transport})`, async () => {
        const name = `reader-${transport.toLowerCase()}`;
        await createPod(name, ['sh', '-c', 'echo waiting; while read l; do echo got:$l; done; echo bye'], { restartPolicy: 'Never' }, { stdin: true, stdinOnce: true });
        await running(name);
        const r = env.kubectl(['attach', '-i', name], { env: extra, input: 'one\ntwo\n' });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /got:one\ngot:two\n/);
        await eventually(`${name} Succeeded`, async () => (await getPod(env.client, name)).status?.phase === 'Succeeded');
      });
    }
    it('streams the output of a running container without -i', async () => {
      await createPod('ticker', ['sh', '-c', 'while true; do echo tick; sleep 0.3; done']);
      await running('ticker');
      const child = env.spawnKubectl(['attach', 'ticker']);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => { out += d; });
      try {
        await eventually('ticks arrive', () => (out.match(/tick/g) ?? []).length >= 2);
      } finally {
        child.kill();
      }
    });
  });

  describe('kubectl port-forward', () => {
    let podPort: number;
    before(async () => {
      podPort = await freePort();
      await createPod('echoer', [process.execPath, '-e', `require('net').createServer((s) => s.pipe(s)).listen(${podPort}, '127.0.0.1', () => console.log('listening'))`]);
      await running('echoer');
      await eventually('echo server listening', () => env.kubectl(['logs', 'echoer']).stdout.includes('listening'));
    });
    const roundTrip = (port: number, text: string) => new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.end(text));
      let got = '';
      s.on('data', (d) => { got += d; });
      s.on('end', () => resolve(got));
      s.on('error', reject);
    });
    for (const [transport, extra] of TRANSPORTS) {
      it(`forwards a local port to the pod's port (${transport})`, async () => {
        const local = await freePort();
        const child = env.spawnKubectl(['port-forward', 'pod/echoer', `${local}:${podPort}`], extra);
        let out = '';
        child.stdout!.on('data', (d: Buffer) => { out += d; });
        child.stderr!.on('data', (d: Buffer) => { out += d; });
        try {
          await eventually('forwarding', () => out.includes(`Forwarding from 127.0.0.1:${local}`));
          assert.equal(await roundTrip(local, `hello over ${transport}`), `hello over ${transport}`);
          const big = 'x'.repeat(200_000);
          assert.equal((await roundTrip(local, big)).length, big.length);
        } finally {
          child.kill();
        }
      });
    }
    it('reports a port nobody listens on', async () => {
      const local = await freePort();
      const closed = await freePort();
      const child = env.spawnKubectl(['port-forward', 'pod/echoer', `${local}:${closed}`]);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => { out += d; });
      child.stderr!.on('data', (d: Buffer) => { out += d; });
      try {
        await eventually('forwarding', () => out.includes(`Forwarding from 127.0.0.1:${local}`));
        await roundTrip(local, 'anyone?').catch(() => '');
        await eventually('error reported', () => /error forwarding port \d+ to pod echoer_default: .*ECONNREFUSED/.test(out));
      } finally {
        child.kill();
      }
    });
  });

  describe('proxy subresources', () => {
    let httpPort: number;
    before(async () => {
      httpPort = await freePort();
      const server = `require('http').createServer((q, r) => r.end('hello from ' + q.url)).listen(${httpPort}, '127.0.0.1', () => console.log('serving'))`;
      await createPod('web', [process.execPath, '-e', server]);
      await running('web');
      await eventually('web serving', () => env.kubectl(['logs', 'web']).stdout.includes('serving'));
    });
    it('pods/proxy and services/proxy reach the pod, nodes/proxy the kubelet', async () => {
      assert.equal(env.c.k('get', '--raw', `/api/v1/namespaces/default/pods/web:${httpPort}/proxy/some/path?x=1`), 'hello from /some/path?x=1');
      await env.client.request({ method: 'POST', path: '/api/v1/namespaces/default/services', body: {
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: httpPort }] },
      } });
      await env.client.request({ method: 'POST', path: '/api/v1/namespaces/default/endpoints', body: {
        apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' },
        subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: httpPort }] }],
      } });
      assert.equal(env.c.k('get', '--raw', '/api/v1/namespaces/default/services/web:http/proxy/svc'), 'hello from /svc');
      assert.equal(env.c.k('get', '--raw', `/api/v1/nodes/${env.node}/proxy/healthz`), 'ok');
      const pods = JSON.parse(env.c.k('get', '--raw', `/api/v1/nodes/${env.node}/proxy/pods`)) as { items: Pod[] };
      assert.ok(pods.items.some((p) => p.metadata?.name === 'web'));
    });
  });

  describe('kubectl cp', () => {
    it('copies a file into the pod and back out (tar over exec)', () => {
      const local = path.join(work, 'local.txt');
      fs.writeFileSync(local, 'payload through tar\n');
      const remoteDir = path.join(work, 'remote');
      fs.mkdirSync(remoteDir);
      const up = env.kubectl(['cp', local, `default/shell:${remoteDir}/in-pod.txt`]);
      assert.equal(up.code, 0, up.stderr);
      assert.equal(fs.readFileSync(path.join(remoteDir, 'in-pod.txt'), 'utf8'), 'payload through tar\n');
      const back = path.join(work, 'back.txt');
      const down = env.kubectl(['cp', `default/shell:${remoteDir}/in-pod.txt`, back]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(fs.readFileSync(back, 'utf8'), 'payload through tar\n');
    });
  });

  describe('who may stream', () => {
    const kubeletGet = (p: string, o: { cert?: string; token?: string } = {}) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      https.get({
        host: '127.0.0.1', port: env.kubelet.port, path: p, ca: fs.readFileSync(env.pki.ca), servername: 'localhost',
        cert: o.cert && fs.readFileSync(env.pki.file(`${o.cert}.crt`)), key: o.cert && fs.readFileSync(env.pki.file(`${o.cert}.key`)),
        headers: o.token ? { Authorization: `Bearer ${o.token}` } : {},
      }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });

    it('the kubelet answers 401 without credentials and 403 without nodes/proxy', async () => {
      const anon = await kubeletGet('/pods');
      assert.equal(anon.status, 401);
      assert.equal(anon.body, 'Unauthorized\n');
      assert.equal((await kubeletGet('/pods', { token: 'not-a-token' })).status, 401);
      const nobody = await kubeletGet('/containerLogs/default/shell/main', { cert: 'nobody' });
      assert.equal(nobody.status, 403);
      assert.equal(nobody.body, 'Forbidden (user=nobody, verb=get, resource=nodes, subresource=proxy)\n');
      const metrics = await kubeletGet('/metrics', { cert: 'nobody' });
      assert.equal(metrics.body, 'Forbidden (user=nobody, verb=get, resource=nodes, subresource=metrics)\n');
      const apiserver = await kubeletGet('/containerLogs/default/shell/main', { cert: 'apiserver-kubelet-client' });
      assert.equal(apiserver.status, 200);
      assert.equal(apiserver.body, 'ready\n');
      const byToken = await kubeletGet('/pods', { token: TOKEN });
      assert.equal(byToken.status, 200);
      assert.ok((JSON.parse(byToken.body) as { items: Pod[] }).items.some((p) => p.metadata?.name === 'shell'));
    });

    it('a kubelet nobody answers for: exec and port-forward get upstream\'s "error dialing backend" Status', async () => {
      // a node whose kubelet is gone: its address answers nothing on the kubelet port
      const gone = await freePort();
      const node = `gone-${process.pid}`;
      await env.client.resource(NODES).create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: node },
        status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: gone } } } });
      await env.client.resource(PODS).create('default', podManifest('stranded', node, { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '600'] }] }));
      // what its kubelet last reported (kubectl port-forward wants a Running pod)
      await env.client.resource(PODS).patch('default', 'stranded', 'merge', { status: { phase: 'Running' } }, {}, 'status');
      for (const [transport, extra] of TRANSPORTS) {
        const r = env.kubectl(['exec', 'stranded', '--', 'true'], { env: extra });
        assert.equal(r.code, 1, transport);
        // WebSocket exec is accepted first and then fails on the error channel, as upstream's stream translator does
        const exec = transport === 'SPDY' ? 'Error from server: error dialing backend' : 'Internal error occurred';
        assert.match(r.stderr, new RegExp(`${exec}: connect ECONNREFUSED 127\\.0\\.0\\.1:${gone}`), `${transport}: ${r.stderr}`);
        const pf = env.kubectl(['port-forward', 'pod/stranded', '0:80'], { env: extra, timeoutMs: 30_000 });
        assert.equal(pf.code, 1, transport);
        assert.match(pf.stderr, new RegExp(`(error upgrading connection|Error from server): error dialing backend: connect ECONNREFUSED 127\\.0\\.0\\.1:${gone}`), `${transport}: ${pf.stderr}`);
      }
    });

    it('the API server refuses exec to a user without pods/exec, who may still read logs', () => {
      env.c.k('create', 'clusterrolebinding', 'viewer-view', '--clusterrole=view', '--user=viewer');
      const viewer = env.kubeconfigFor('viewer');
      eventuallySync(() => env.kubectl(['get', 'pod', 'shell'], { kubeconfig: viewer }).code === 0);
      for (const [, extra] of TRANSPORTS) {
        const r = env.kubectl(['exec', 'shell', '--', 'true'], { kubeconfig: viewer, env: extra });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /forbidden: User "viewer" cannot (get|create) resource "pods\/exec" in API group "" in the namespace "default"/);
      }
      const logs = env.kubectl(['logs', 'shell'], { kubeconfig: viewer });
      assert.equal(logs.stdout, 'ready\n', logs.stderr);
    });
  });
});

function eventuallySync(fn: () => boolean, ms = 10_000): void {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('timed out');
    spawnSync('sleep', ['0.2']);
  }
}
