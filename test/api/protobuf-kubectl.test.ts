// Bodies captured from the real kubectl: a tiny HTTPS server records what kubectl's
// generators send (application/vnd.kubernetes.protobuf) and answers with the decoded object
// as JSON, which kubectl accepts (client-go decodes by the response Content-Type).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PROTOBUF_MEDIA_TYPE, decodeProtobuf, encodeProtobuf } from '../../src/api/protobuf/index.js';
import { selfSignedCert } from '../../src/apiserver/tls/serving-cert.js';

interface Captured { method: string; url: string; contentType: string; body: Buffer }

describe('kubectl protobuf request bodies', () => {
  let server: https.Server;
  let url = '';
  const captured: Captured[] = [];

  before(async () => {
    const { cert, key } = await selfSignedCert(['127.0.0.1']);
    server = https.createServer({ cert, key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        captured.push({ method: req.method!, url: req.url!, contentType: String(req.headers['content-type'] ?? ''), body });
        if (req.method === 'GET') { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{}'); return; }
        const obj = decodeProtobuf(body);
        if (obj.kind === 'TokenRequest') obj.status = { token: 'tok', expirationTimestamp: '2030-01-01T00:00:00Z' };
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  /** Runs kubectl and returns the decoded body of its one write. */
  async function send(...args: string[]): Promise<{ obj: Record<string, any>; raw: Captured; stdout: string }> {
    captured.length = 0;
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('/usr/bin/kubectl', ['--server', url, '--insecure-skip-tls-verify', '--token', 't', '-n', 'default', ...args]);
      let text = '';
      child.stdout.on('data', (d) => { text += d; });
      child.stderr.on('data', (d) => { text += d; });
      child.on('exit', (c) => resolve({ code: c, out: text }));
    });
    assert.equal(code, 0, out);
    const writes = captured.filter((c) => c.method !== 'GET');
    assert.equal(writes.length, 1, `one write expected, got ${writes.map((w) => w.method + ' ' + w.url).join(', ')}`);
    assert.equal(writes[0].contentType, PROTOBUF_MEDIA_TYPE);
    return { obj: decodeProtobuf(writes[0].body), raw: writes[0], stdout: out };
  }

  it('create namespace: the JSON form kubectl would send, Go zero values left out', async () => {
    const { obj, stdout } = await send('create', 'namespace', 'dev');
    assert.deepEqual(obj, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' }, spec: {}, status: {} });
    assert.match(stdout, /namespace\/dev created/);
  });

  it('create secret generic: data as base64, empty values kept', async () => {
    const { obj } = await send('create', 'secret', 'generic', 's1', '--from-literal=user=admin', '--from-literal=empty=');
    assert.deepEqual(obj.data, { user: Buffer.from('admin').toString('base64'), empty: '' });
    assert.equal(obj.metadata.name, 's1');
  });

  it('create configmap and service nodeport: maps, IntOrString targetPort', async () => {
    const cm = await send('create', 'configmap', 'c1', '--from-literal=a=1', '--from-literal=b=two');
    assert.deepEqual(cm.obj.data, { a: '1', b: 'two' });
    const svc = await send('create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080');
    assert.deepEqual(svc.obj.spec, { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], selector: { app: 'np' }, type: 'NodePort' });
  });

  it('create deployment --replicas=0: the explicit zero survives, the pod template decodes', async () => {
    const { obj } = await send('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=0', '--port=80');
    assert.equal(obj.spec.replicas, 0);
    assert.deepEqual(obj.spec.template.spec.containers, [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }]);
    assert.equal(obj.metadata.creationTimestamp, undefined);
  });

  it('create quota, pdb and priorityclass: Quantity strings, IntOrString percent, value 0 printed', async () => {
    const q = await send('create', 'quota', 'q', '--hard=cpu=1,memory=1Gi,pods=2');
    assert.deepEqual(q.obj.spec.hard, { cpu: '1', memory: '1Gi', pods: '2' });
    const pdb = await send('create', 'pdb', 'p', '--selector=app=x', '--min-available=50%');
    assert.deepEqual(pdb.obj.spec, { minAvailable: '50%', selector: { matchLabels: { app: 'x' } } });
    const pc = await send('create', 'priorityclass', 'pc', '--value=0', '--preemption-policy=Never');
    assert.equal(pc.obj.value, 0);
    assert.equal(pc.obj.preemptionPolicy, 'Never');
  });

  it('create token: TokenRequest with uid under its JSON name', async () => {
    const { obj, raw, stdout } = await send('create', 'token', 'sa', '--duration=1h', '--bound-object-kind=Pod', '--bound-object-name=p', '--bound-object-uid=u1');
    assert.equal(raw.url, '/api/v1/namespaces/default/serviceaccounts/sa/token');
    assert.deepEqual(obj.spec, { expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u1' } });
    assert.equal(stdout.trim(), 'tok');
  });

  it('re-encoding what kubectl sent gives back the same object', async () => {
    const { obj } = await send('create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'echo', 'hi');
    assert.deepEqual(obj.spec.jobTemplate.spec.template.spec.containers[0].command, ['echo', 'hi']);
    assert.deepEqual(decodeProtobuf(encodeProtobuf(obj)), obj);
  });
});
