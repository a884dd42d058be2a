// Encryption at rest (the plaintext never reaches etcd; keys rotate by putting a new key
// first and rewriting), the audit log, and clear errors for malformed configuration files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, kubectlAt, startSecureCluster, USERS, type SecureCluster } from './harness.js';

const key = () => crypto.randomBytes(32).toString('base64');
const encryptionConfig = (providers: string) => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, configmaps]
    providers:
${providers}`;
const PLAINTEXT = 'the-plaintext-s3cr3t-value';

function etcdGet(etcdURL: string, key: string): Buffer {
  const r = spawnSync('/usr/bin/etcdctl', ['--endpoints', etcdURL, 'get', key, '--print-value-only'], { env: { ...process.env, ETCDCTL_API: '3' } });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

describe('encryption at rest and audit', () => {
  let c: SecureCluster;
  const k1 = key();
  const k2 = key();
  const files = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-enc-'));
  before(async () => {
    fs.writeFileSync(path.join(files, 'enc.yaml'), encryptionConfig(`      - aescbc:
          keys: [{name: key1, secret: ${k1}}]
      - identity: {}
`));
    fs.writeFileSync(path.join(files, 'audit.yaml'), `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    nonResourceURLs: ["/api*", "/openapi*", "/version", "/healthz*"]
  - level: RequestResponse
    resources: [{group: "", resources: [configmaps]}]
  - level: Metadata
    resources: [{group: "", resources: [secrets]}]
  - level: None
`);
    c = await startSecureCluster(['--encryption-provider-config', path.join(files, 'enc.yaml'), '--audit-policy-file', path.join(files, 'audit.yaml'),
      '--audit-log-path', path.join(files, 'audit', 'audit.log'), '--audit-log-maxage', '7', '--audit-log-maxbackup', '3', '--audit-log-maxsize', '100']);
  });
  after(async () => {
    await c?.stop();
    fs.rmSync(files, { recursive: true, force: true });
  });

  it('secrets are stored as k8s:enc:aescbc:v1:key1: ciphertext and read back in plain', () => {
    c.k('create', 'secret', 'generic', 'db', `--from-literal=password=${PLAINTEXT}`);
    const raw = etcdGet(c.etcdURL, '/registry/secrets/default/db');
    assert.equal(raw.subarray(0, 'k8s:enc:aescbc:v1:key1:'.length).toString(), 'k8s:enc:aescbc:v1:key1:');
    assert.ok(!raw.includes(PLAINTEXT) && !raw.includes(Buffer.from(PLAINTEXT).toString('base64')), 'no plaintext in etcd');
    assert.equal(Buffer.from(c.k('get', 'secret', 'db', '-o', 'jsonpath={.data.password}'), 'base64').toString(), PLAINTEXT);
    // Resources not listed stay plain.
    c.k('create', 'serviceaccount', 'plain');
    assert.equal(JSON.parse(etcdGet(c.etcdURL, '/registry/serviceaccounts/default/plain').toString()).metadata.name, 'plain');
  });

  it('rotation: a new first key writes, the old one still reads, and replace rewrites', async () => {
    // Its own key prefix, so the rewrite (with a key the main server lacks) stays out of the main server's way.
    const dir = c.dir;
    fs.writeFileSync(path.join(dir, 'enc1.yaml'), encryptionConfig(`      - aescbc:
          keys: [{name: key1, secret: ${k1}}]
`));
    fs.writeFileSync(path.join(dir, 'enc2.yaml'), encryptionConfig(`      - aesgcm:
          keys: [{name: key2, secret: ${k2}}]
      - aescbc:
          keys: [{name: key1, secret: ${k1}}]
`));
    const common = ['--token-auth-file', path.join(c.files, 'tokens.csv'), '--etcd-prefix', '/rotation'];
    const first = await startApiServer(c.etcdURL, dir, [...common, '--encryption-provider-config', path.join(dir, 'enc1.yaml')]);
    try {
      const made = kubectlAt(first.url, USERS.admin, ['create', 'secret', 'generic', 'db', `--from-literal=password=${PLAINTEXT}`]);
      assert.equal(made.code, 0, made.stderr);
    } finally { await first.stop(); }
    assert.equal(etcdGet(c.etcdURL, '/rotation/secrets/default/db').subarray(0, 23).toString(), 'k8s:enc:aescbc:v1:key1:');
    const second = await startApiServer(c.etcdURL, dir, [...common, '--encryption-provider-config', path.join(dir, 'enc2.yaml')]);
    try {
      const all = kubectlAt(second.url, USERS.admin, ['get', 'secrets', '-A', '-o', 'json']);
      assert.equal(all.code, 0, all.stderr);
      // --validate=false: kubectl validates a List against /openapi/v2 in protobuf, which the server does not serve yet (406).
      const replaced = kubectlAt(second.url, USERS.admin, ['replace', '--validate=false', '-f', '-'], all.stdout);
      assert.equal(replaced.code, 0, replaced.stderr);
      const raw = etcdGet(c.etcdURL, '/rotation/secrets/default/db');
      assert.equal(raw.subarray(0, 'k8s:enc:aesgcm:v1:key2:'.length).toString(), 'k8s:enc:aesgcm:v1:key2:');
      assert.ok(!raw.includes(PLAINTEXT));
      const back = kubectlAt(second.url, USERS.admin, ['get', 'secret', 'db', '-o', 'jsonpath={.data.password}']);
      assert.equal(Buffer.from(back.stdout, 'base64').toString(), PLAINTEXT);
    } finally {
      await second.stop();
    }
  });

  it('secretbox; and the store\'s files never hold a plaintext, old revisions included', async () => {
    const dir = c.dir;
    const k3 = key();
    fs.writeFileSync(path.join(dir, 'enc3.yaml'), encryptionConfig(`      - secretbox:
          keys: [{name: key3, secret: ${k3}}]
`));
    const sb = await startApiServer(c.etcdURL, dir, ['--token-auth-file', path.join(c.files, 'tokens.csv'), '--etcd-prefix', '/secretbox', '--encryption-provider-config', path.join(dir, 'enc3.yaml')]);
    try {
      const made = kubectlAt(sb.url, USERS.admin, ['create', 'secret', 'generic', 'boxed', `--from-literal=v=${PLAINTEXT}-box`]);
      assert.equal(made.code, 0, made.stderr);
      const back = kubectlAt(sb.url, USERS.admin, ['get', 'secret', 'boxed', '-o', 'jsonpath={.data.v}']);
      assert.equal(Buffer.from(back.stdout, 'base64').toString(), `${PLAINTEXT}-box`);
    } finally { await sb.stop(); }
    assert.equal(etcdGet(c.etcdURL, '/secretbox/secrets/default/boxed').subarray(0, 'k8s:enc:secretbox:v1:key3:'.length).toString(), 'k8s:enc:secretbox:v1:key3:');
    // Two revisions of one secret (the store keeps both until compaction), then the LMDB file itself.
    c.k('create', 'secret', 'generic', 'revised', `--from-literal=v=${PLAINTEXT}-first`);
    c.k('patch', 'secret', 'revised', '--type=merge', '-p', JSON.stringify({ stringData: { v: `${PLAINTEXT}-second` } }));
    // The write-ahead log holds a write at once; LMDB gets it at the next apply (every 100 ms,
    // later under load): wait for the key in data.mdb, then look at every file of the member.
    const member = path.join(dir, 'etcd', 'member');
    const stored = Buffer.from('/registry/secrets/default/revised');
    let applied = false;
    for (let i = 0; i < 100 && !applied; i++) {
      applied = fs.readFileSync(path.join(member, 'db', 'data.mdb')).includes(stored);
      if (!applied) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(applied, 'the key is in the file (the file is the store)');
    const files = (fs.readdirSync(member, { recursive: true }) as string[]).map((f) => path.join(member, f)).filter((f) => fs.statSync(f).isFile());
    assert.ok(files.some((f) => f.includes(`${path.sep}wal${path.sep}`)), `the write-ahead log is among ${files.join(', ')}`);
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      for (const v of [`${PLAINTEXT}-first`, `${PLAINTEXT}-second`, `${PLAINTEXT}-box`, PLAINTEXT]) {
        assert.ok(!bytes.includes(Buffer.from(v)), `no plaintext ${v} in ${f}`);
        assert.ok(!bytes.includes(Buffer.from(Buffer.from(v).toString('base64'))), `no base64 of ${v} in ${f}`);
      }
    }
  });

  it('the audit log holds one JSON event per request at the policy level', async () => {
    c.k('create', 'configmap', 'audited', '--from-literal=a=b');
    c.kubectl(['get', 'secret', 'nope']);
    const file = path.join(files, 'audit', 'audit.log');
    let events: any[] = [];
    for (let i = 0; i < 20 && !events.some((e) => e.objectRef?.name === 'nope'); i++) {
      events = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(events.every((e) => e.stage === 'ResponseComplete' && e.kind === 'Event' && e.apiVersion === 'audit.k8s.io/v1'));
    const create = events.find((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps' && e.objectRef?.name === undefined && e.responseStatus.code === 201);
    assert.ok(create, JSON.stringify(events.slice(-5)));
    assert.equal(create.level, 'RequestResponse');
    assert.equal(create.user.username, 'e2e-admin');
    assert.deepEqual(create.objectRef, { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' });
    assert.equal(create.requestObject.data.a, 'b');
    assert.equal(create.responseObject.metadata.name, 'audited');
    assert.match(create.auditID, /^[0-9a-f-]{36}$/);
    assert.deepEqual(create.sourceIPs, ['127.0.0.1']);
    assert.ok(create.requestReceivedTimestamp <= create.stageTimestamp);
    const miss = events.find((e) => e.objectRef?.resource === 'secrets' && e.objectRef?.name === 'nope');
    assert.equal(miss.level, 'Metadata');
    assert.equal(miss.verb, 'get');
    assert.equal(miss.responseStatus.code, 404);
    assert.equal(miss.requestObject, undefined);
    assert.ok(!events.some((e) => e.requestURI?.startsWith('/api?') || e.requestURI === '/api'), 'discovery is at level None');
  });

  it('malformed configuration files are reported clearly at start', async () => {
    const dir = c.dir;
    const tryStart = async (args: string[]) => {
      try {
        const s = await startApiServer(c.etcdURL, dir, args);
        await s.stop();
        return 'started';
      } catch (err) { return (err as Error).message; }
    };
    fs.writeFileSync(path.join(dir, 'bad-enc.yaml'), encryptionConfig(`      - aescbc:
          keys: [{name: k, secret: c2hvcnQ=}]
`));
    assert.match(await tryStart(['--encryption-provider-config', path.join(dir, 'bad-enc.yaml')]),
      /bad-enc\.yaml: resources\[0\]\.providers\[0\]\.aescbc\.keys\[0\]\.secret: key of 5 bytes is invalid for aescbc/);
    fs.writeFileSync(path.join(dir, 'bad-kind.yaml'), 'apiVersion: v1\nkind: Secret\n');
    assert.match(await tryStart(['--encryption-provider-config', path.join(dir, 'bad-kind.yaml')]), /kind: expected EncryptionConfiguration, got "Secret"/);
    fs.writeFileSync(path.join(dir, 'bad-audit.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Loud\n');
    assert.match(await tryStart(['--audit-policy-file', path.join(dir, 'bad-audit.yaml'), '--audit-log-path', path.join(dir, 'a.log')]),
      /bad-audit\.yaml: rules\[0\]\.level: must be one of None, Metadata, Request, RequestResponse, got "Loud"/);
    fs.writeFileSync(path.join(dir, 'bad-tokens.csv'), 'onlytoken\n');
    assert.match(await tryStart(['--token-auth-file', path.join(dir, 'bad-tokens.csv')]), /bad-tokens\.csv: line 1: want token,user,uid/);
    fs.writeFileSync(path.join(dir, 'bad.key'), 'not a key\n');
    assert.match(await tryStart(['--service-account-key-file', path.join(dir, 'bad.key')]), /--service-account-key-file .*bad\.key: no public or private key in PEM form/);
    assert.match(await tryStart(['--authorization-mode', 'RBAC,Magic']), /authorization mode "Magic" is not a valid mode/);
    assert.match(await tryStart(['--enable-admission-plugins', 'NoSuchPlugin']), /--enable-admission-plugins: unknown admission plugin\(s\): NoSuchPlugin/);
  });
});
