// The kubelet's node-level endpoints against real processes: a real API server (RBAC, client
// certificates) proxying kubectl's `get --raw /api/v1/nodes/N/proxy/…` to a host-process
// kubelet that authenticates and authorizes every request (Webhook), and the kubelet's
// unauthenticated read-only port: /logs/ (a directory listing and files), /runningpods/,
// /metrics/probes,
// /configz, /healthz checks, /stats/summary (POST, only_cpu_and_memory), and what the
// read-only server refuses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, PODS } from '../../src/client/index.js';
import { eventually, podManifest } from './harness.js';
import { type StreamingEnv, startStreamingEnv } from './streaming-harness.js';

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
});

interface Answer { code: number; headers: http.IncomingHttpHeaders; body: string }

function request(url: string, o: { method?: string; cert?: string; key?: string; ca?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(url, { method: o.method ?? 'GET', cert: o.cert, key: o.key, ca: o.ca, headers: o.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ code: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('kubelet node endpoints (/logs/, /runningpods/, /configz, /healthz, read-only port)', { timeout: 240_000 }, () => {
  let env: StreamingEnv;
  let logDir: string;
  let readOnlyPort: number;
  let kubeletURL: string;
  const asUser = (name: string) => ({ cert: fs.readFileSync(env.pki.file(`${name}.crt`), 'utf8'), key: fs.readFileSync(env.pki.file(`${name}.key`), 'utf8'), ca: fs.readFileSync(env.pki.ca, 'utf8') });
  const raw = (p: string) => env.c.k('get', '--raw', `/api/v1/nodes/${env.node}/proxy${p}`);

  before(async () => {
    logDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', `tskube-nodelogs-${process.pid}-`));
    fs.writeFileSync(path.join(logDir, 'syslog'), 'first line\nsecond line\n');
    fs.mkdirSync(path.join(logDir, 'app'));
    fs.writeFileSync(path.join(logDir, 'app', 'a b.log'), 'spaced name\n');
    fs.writeFileSync(path.join(logDir, 'app', '<tag>.log'), 'escaped\n');
    readOnlyPort = await freePort();
    env = await startStreamingEnv(['--read-only-port', String(readOnlyPort), '--node-log-dir', logDir]);
    kubeletURL = `https://127.0.0.1:${env.kubelet.port}`;
    // what the root-CA publisher would provide: service-account volumes project it
    await env.client.resource(CONFIGMAPS).create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'test-ca' } });
    await env.client.resource(PODS).create('default', podManifest('sleeper', env.node, {
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '600'], readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }, { name: 'side', image: 'busybox:2', command: ['sleep', '600'] }],
    }));
    await eventually('sleeper running', async () => (await env.client.resource(PODS).get('default', 'sleeper') as Pod).status?.phase === 'Running', 60_000);
  });
  after(async () => {
    await env?.stop();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('/logs/ lists the node log directory and serves its files through the API server', async () => {
    assert.equal(raw('/logs/'), '<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n<a href="app/">app/</a>\n<a href="syslog">syslog</a>\n</pre>\n');
    assert.equal(raw('/logs/app/'), '<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n<a href="%3Ctag%3E.log">&lt;tag&gt;.log</a>\n<a href="a%20b.log">a b.log</a>\n</pre>\n');
    assert.equal(raw('/logs/syslog'), 'first line\nsecond line\n');
    assert.equal(raw('/logs/app/a%20b.log'), 'spaced name\n');
    assert.throws(() => raw('/logs/missing.log'), /not found|NotFound|404/i);
    // straight to the kubelet: Go FileServer's redirects, ranges and errors
    const admin = asUser('apiserver-kubelet-client');
    const dir = await request(`${kubeletURL}/logs/app`, admin);
    assert.equal(dir.code, 301);
    assert.equal(dir.headers.location, 'app/');
    const root = await request(`${kubeletURL}/logs`, admin);
    assert.equal(root.code, 301);
    assert.equal(root.headers.location, '/logs/');
    const part = await request(`${kubeletURL}/logs/syslog`, { ...admin, headers: { Range: 'bytes=6-9' } });
    assert.equal(part.code, 206);
    assert.equal(part.body, 'line');
    assert.equal(part.headers['content-range'], 'bytes 6-9/23');
    const missing = await request(`${kubeletURL}/logs/nope`, admin);
    assert.equal(missing.code, 404);
    assert.equal(missing.body, '404 page not found\n');
    const escape = await request(`${kubeletURL}/logs/../../etc/passwd`, admin);
    assert.notEqual(escape.code, 200, 'a path cannot leave the log directory');
    // authorized as nodes/log: a user without it is refused by the kubelet itself
    const denied = await request(`${kubeletURL}/logs/`, asUser('nobody'));
    assert.equal(denied.code, 403);
    assert.match(denied.body, /^Forbidden \(user=nobody, verb=get, resource=nodes, subresource=log\)/);
    assert.equal((await request(`${kubeletURL}/logs/`, { ca: admin.ca })).code, 401);
  });

  it('/runningpods/ is what the runtime runs, /pods what the kubelet was given', async () => {
    const list = JSON.parse(raw('/runningpods/')) as { kind: string; apiVersion: string; items: Pod[] };
    assert.equal(list.kind, 'PodList');
    assert.equal(list.apiVersion, 'v1');
    const pod = await env.client.resource(PODS).get('default', 'sleeper') as Pod;
    const mine = list.items.find((p) => p.metadata?.name === 'sleeper');
    assert.ok(mine, raw('/runningpods/'));
    assert.deepEqual(mine.metadata, { name: 'sleeper', namespace: 'default', uid: pod.metadata!.uid, creationTimestamp: null });
    assert.deepEqual(mine.spec!.containers.map((c) => [c.name, c.image]).sort(), [['main', 'busybox'], ['side', 'busybox:2']]);
    assert.equal(mine.status && Object.keys(mine.status).length, 0);
    const full = JSON.parse(raw('/pods')) as { items: Pod[] };
    assert.equal(full.items.find((p) => p.metadata?.name === 'sleeper')?.spec?.nodeName, env.node);
  });

  it('/configz shows the running KubeletConfiguration', () => {
    const cz = JSON.parse(raw('/configz')) as { kubeletconfig: Record<string, any> };
    const c = cz.kubeletconfig;
    assert.equal(c.kind, undefined);
    assert.equal(c.readOnlyPort, readOnlyPort);
    assert.equal(c.port, env.kubelet.port);
    assert.equal(c.authorization.mode, 'Webhook');
    assert.equal(c.authentication.anonymous.enabled, false);
    assert.equal(c.authentication.webhook.enabled, true);
    assert.equal(c.authentication.webhook.cacheTTL, '2m0s');
    assert.equal(c.syncFrequency, '1m0s');
    assert.equal(c.nodeStatusReportFrequency, '5m0s');
    assert.deepEqual(c.evictionHard, { 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%', 'imagefs.inodesFree': '5%' });
    assert.equal(c.maxPods, 110);
  });

  it('/healthz runs ping, log and syncloop; the healthz port only ping', async () => {
    assert.equal(raw('/healthz'), 'ok');
    assert.equal(raw('/healthz?verbose=1'), '[+]ping ok\n[+]log ok\n[+]syncloop ok\nhealthz check passed\n');
    assert.equal(raw('/healthz/syncloop'), 'ok');
    assert.equal(raw('/healthz?verbose&exclude=log'), '[+]ping ok\n[+]log excluded: ok\n[+]syncloop ok\nhealthz check passed\n');
    const m = /healthz on http:\/\/127\.0\.0\.1:(\d+)/.exec(env.kubelet.output());
    const plainHealth = await request(`http://127.0.0.1:${m![1]}/healthz?verbose`);
    assert.equal(plainHealth.body, '[+]ping ok\nhealthz check passed\n');
    assert.equal((await request(`http://127.0.0.1:${m![1]}/healthz/syncloop`)).code, 404);
  });

  it('/stats/summary answers POST and only_cpu_and_memory', async () => {
    const post = await request(`${kubeletURL}/stats/summary`, { ...asUser('apiserver-kubelet-client'), method: 'POST' });
    assert.equal(post.code, 200);
    const full = JSON.parse(post.body) as { node: { nodeName: string } };
    assert.equal(full.node.nodeName, env.node);
    const slim = JSON.parse(raw('/stats/summary?only_cpu_and_memory=true')) as { node: Record<string, unknown>; pods: Record<string, unknown>[] };
    assert.equal(slim.node.nodeName, env.node);
    for (const p of slim.pods) {
      assert.deepEqual(Object.keys(p).filter((k) => !['podRef', 'startTime', 'containers', 'cpu', 'memory'].includes(k)), []);
      for (const c of p.containers as Record<string, unknown>[]) assert.deepEqual(Object.keys(c).filter((k) => !['name', 'startTime', 'cpu', 'memory'].includes(k)), []);
    }
    const stats = await request(`${kubeletURL}/stats`, asUser('apiserver-kubelet-client'));
    assert.equal(stats.code, 301);
    // removed upstream in 1.21 (cAdvisor JSON endpoints): not served
    assert.equal((await request(`${kubeletURL}/spec/`, asUser('apiserver-kubelet-client'))).code, 404);
  });

  it('/metrics/probes counts probe results per container', async () => {
    const uid = (await env.client.resource(PODS).get('default', 'sleeper') as Pod).metadata!.uid!;
    const series = `prober_probe_total{container="main",namespace="default",pod="sleeper",pod_uid="${uid}",probe_type="Readiness",result="successful"}`;
    const count = (text: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? NaN);
    const first = count(raw('/metrics/probes'));
    assert.ok(first >= 1, raw('/metrics/probes'));
    await eventually('more probes counted', () => count(raw('/metrics/probes')) > first);
    assert.match(raw('/metrics/probes'), /^# TYPE prober_probe_duration_seconds histogram$/m);
    assert.match(raw('/metrics/probes'), /^prober_probe_duration_seconds_count\{container="main",namespace="default",pod="sleeper",probe_type="Readiness"\} \d+$/m);
    const ro = await request(`http://127.0.0.1:${readOnlyPort}/metrics/probes`);
    assert.ok(count(ro.body) >= first);
  });

  it('the read-only port serves pods, stats, metrics and healthz without credentials, and nothing else', async () => {
    const base = `http://127.0.0.1:${readOnlyPort}`;
    const pods = await request(`${base}/pods`);
    assert.equal(pods.code, 200);
    assert.ok((JSON.parse(pods.body) as { items: Pod[] }).items.some((p) => p.metadata?.name === 'sleeper'));
    assert.equal((await request(`${base}/healthz`)).body, 'ok');
    const summary = await request(`${base}/stats/summary`);
    assert.equal((JSON.parse(summary.body) as { node: { nodeName: string } }).node.nodeName, env.node);
    const metrics = await request(`${base}/metrics`);
    assert.match(metrics.body, /^kubelet_running_pods\{node="stream-node"\} \d+$/m);
    assert.equal((await request(`${base}/metrics/resource`)).code, 200);
    for (const p of ['/logs/', '/runningpods/', '/containerLogs/default/sleeper/main', '/run/default/sleeper/main?cmd=ls', '/exec/default/sleeper/main?command=ls']) {
      const r = await request(`${base}${p}`, { method: p.startsWith('/run/') ? 'POST' : 'GET' });
      assert.equal(r.code, 405, p);
      assert.equal(r.body, 'Debug endpoints are disabled.\n', p);
    }
    const upgrade = await request(`${base}/exec/default/sleeper/main?command=ls`, { headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' } });
    assert.equal(upgrade.code, 405);
    assert.equal((await request(`${base}/configz`)).code, 404);
    // the secure port still wants credentials for the same paths
    assert.equal((await request(`${kubeletURL}/pods`, { ca: fs.readFileSync(env.pki.ca, 'utf8') })).code, 401);
  });
});
