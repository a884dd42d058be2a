// Audit backends with the real kubectl: the log in batch mode (--audit-log-mode batch) rotated
// at --audit-log-maxsize keeping --audit-log-maxbackup files, and the webhook backend
// (--audit-webhook-config-file, a kubeconfig) POSTing EventLists in batches to a real HTTPS
// server on loopback; bad flags end the start with upstream's message.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { selfSignedCert } from '../../src/apiserver/tls/serving-cert.js';
import { kubectlAsync, startApiServer, startSecureCluster, type SecureCluster } from './harness.js';

const until = async (what: string, fn: () => boolean, ms = 30_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (fn()) return;
  assert.fail(`timed out waiting for ${what}`);
};

describe('audit backends', () => {
  let c: SecureCluster;
  let receiver: https.Server;
  const posts: Array<{ auth?: string; path?: string; body: any }> = [];
  const files = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-audit-'));
  const logFile = path.join(files, 'log', 'audit.log');
  before(async () => {
    const tls = await selfSignedCert(['127.0.0.1']);
    receiver = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        posts.push({ auth: req.headers.authorization, path: req.url, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    fs.writeFileSync(path.join(files, 'webhook.kubeconfig'), JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'audit',
      clusters: [{ name: 'sink', cluster: { server: `https://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`, 'certificate-authority-data': Buffer.from(tls.cert).toString('base64') } }],
      users: [{ name: 'apiserver', user: { token: 'audit-sink-token' } }],
      contexts: [{ name: 'audit', context: { cluster: 'sink', user: 'apiserver' } }],
    }));
    fs.writeFileSync(path.join(files, 'policy.yaml'), `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: RequestResponse
    resources: [{group: "", resources: [configmaps]}]
  - level: None
`);
    c = await startSecureCluster(['--audit-policy-file', path.join(files, 'policy.yaml'),
      '--audit-log-path', logFile, '--audit-log-mode', 'batch', '--audit-log-batch-max-size', '100', '--audit-log-batch-max-wait', '1s',
      '--audit-log-maxsize', '1', '--audit-log-maxbackup', '1',
      '--audit-webhook-config-file', path.join(files, 'webhook.kubeconfig'), '--audit-webhook-batch-max-size', '2', '--audit-webhook-batch-max-wait', '3s']);
  });
  after(async () => {
    await c?.stop();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
    fs.rmSync(files, { recursive: true, force: true });
  });

  it('the webhook backend POSTs EventLists of at most --audit-webhook-batch-max-size events with the kubeconfig\'s credentials', async () => {
    const docs = [1, 2, 3, 4, 5].map((i) => stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `hooked-${i}`, namespace: 'default' }, data: { i: String(i) } }));
    const r = await kubectlAsync(c, ['create', '-f', '-'], docs.join('\n---\n'));
    assert.equal(r.code, 0, r.stderr);
    const created = () => posts.flatMap((p) => p.body.items).filter((e: any) => e.verb === 'create' && e.objectRef?.resource === 'configmaps');
    await until('five create events at the webhook', () => created().length >= 5);
    assert.deepEqual(created().map((e: any) => e.responseObject.metadata.name).sort(), ['hooked-1', 'hooked-2', 'hooked-3', 'hooked-4', 'hooked-5']);
    for (const p of posts) {
      assert.equal(p.auth, 'Bearer audit-sink-token');
      assert.equal(p.path, '/events');
      assert.equal(p.body.kind, 'EventList');
      assert.equal(p.body.apiVersion, 'audit.k8s.io/v1');
      assert.ok(p.body.items.length >= 1 && p.body.items.length <= 2, `batch of ${p.body.items.length}`);
    }
    assert.ok(posts.some((p) => p.body.items.length === 2), 'events are batched');
    const e = created()[0];
    assert.equal(e.level, 'RequestResponse');
    assert.equal(e.stage, 'ResponseComplete');
    assert.equal(e.user.username, 'e2e-admin');
  });

  it('the batched log gets every event and is rotated at --audit-log-maxsize keeping --audit-log-maxbackup files', async () => {
    const big = 'x'.repeat(200 * 1024);
    for (let i = 0; i < 5; i++) {
      const r = await kubectlAsync(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}`, namespace: 'default' }, data: { big } }));
      assert.equal(r.code, 0, r.stderr);
    }
    const dir = path.dirname(logFile);
    const events = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    await until('big-4 in the log', () => fs.existsSync(logFile) && events('audit.log').some((e) => e.objectRef?.resource === 'configmaps' && e.responseObject?.metadata?.name === 'big-4'));
    const names = fs.readdirSync(dir).sort();
    assert.equal(names.length, 2, names.join(' '));
    assert.match(names[0], /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/);
    assert.equal(names[1], 'audit.log');
    for (const f of names) assert.ok(fs.statSync(path.join(dir, f)).size <= 1024 * 1024, `${f} stays under 1 MiB`);
    assert.equal(fs.statSync(logFile).mode & 0o077, 0, 'the log is not readable by others');
  });

  it('bad audit flags end the start with upstream\'s message', async () => {
    const tryStart = async (args: string[]) => {
      try { const s = await startApiServer(c.etcdURL, c.dir, args); await s.stop(); return 'started'; } catch (err) { return (err as Error).message; }
    };
    const policy = ['--audit-policy-file', path.join(files, 'policy.yaml')];
    assert.match(await tryStart([...policy, '--audit-log-path', path.join(files, 'x.log'), '--audit-log-mode', 'fast']),
      /error: invalid audit log mode fast, allowed modes are "batch", "blocking", "blocking-strict"/);
    assert.match(await tryStart([...policy, '--audit-webhook-config-file', path.join(files, 'missing.kubeconfig')]),
      /error: --audit-webhook-config-file: .*missing\.kubeconfig/);
    assert.match(await tryStart([...policy, '--audit-webhook-config-file', path.join(files, 'webhook.kubeconfig'), '--audit-webhook-batch-max-size', '0']),
      /error: invalid audit webhook batch max size 0, must be a positive number/);
  });
});
