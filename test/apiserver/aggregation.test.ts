// The aggregation layer end to end: a small real extension API server (HTTPS on loopback, its
// own CA, trusting only the front-proxy CA and the front-proxy-client name, as a delegated
// server does) is registered with an APIService + Service + EndpointSlice pointing to
// 127.0.0.1; the real kubectl lists it in api-resources, creates, gets and watches its
// resources through tskube apiserver, which proxies with the front-proxy certificate and
// X-Remote-* identity headers after RBAC; an unauthorized user is refused before the
// backend sees anything; the Available condition follows the backend, its endpoints and
// its Service with upstream's reasons.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { issueCA, issueLeaf } from '../../src/admin/pki/issue.js';
import { importSigner } from '../../src/admin/pki/signer.js';
import { runTskube, startPkiCluster, type PkiCluster } from '../security/pki-cluster.js';
import { GROUP, GV, wardleOpenAPIV3, wardleSwagger } from './wardle-openapi.js';


/** The Service's ClusterIP: on loopback, so that this host reaches it without kube-proxy (the default routing). */
const CLUSTER_IP = '127.77.0.50';

interface Seen { method: string; path: string; user: string; groups: string[]; cn: string; local: string; ifNoneMatch?: string }

/**
 * The extension API server: flunders and fischers in memory, every request recorded with the identity it
 * came with and the address it reached (`server` is its endpoint, `atClusterIP` the ClusterIP).
 */
function extensionServer(tls: { cert: string; key: string }, frontProxyCA: string) {
  const seen: Seen[] = [];
  const objects = new Map<string, any>();
  const watchers = new Set<(o: any) => void>();
  let rv = 1;
  const openapi = { fischerSpec: 'FischerSpec is the specification of a Fischer.' };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const sock = req.socket as TLSSocket;
    const cn = sock.authorized ? String(sock.getPeerCertificate().subject?.CN ?? '') : '';
    const groups = ([] as string[]).concat(req.headersDistinct['x-remote-group'] ?? []);
    const url = new URL(req.url ?? '/', 'https://x');
    seen.push({ method: req.method ?? '', path: url.pathname, user: String(req.headers['x-remote-user'] ?? ''), groups, cn, local: sock.localAddress ?? '',
      ...(req.headers['if-none-match'] ? { ifNoneMatch: req.headers['if-none-match'] } : {}) });
    const send = (code: number, body: unknown) => { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
    // a delegated server trusts only the front proxy (its CA and name) to name the user
    if (cn !== 'front-proxy-client' || !req.headers['x-remote-user']) return send(401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' });
    if (url.pathname === `/apis/${GV}`) {
      return send(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: GV, resources: [
        { name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['create', 'get', 'list', 'watch'], shortNames: ['fl'] },
        { name: 'flunders/status', singularName: '', namespaced: true, kind: 'Flunder', verbs: ['get'] },
        { name: 'fischers', singularName: 'fischer', namespaced: true, kind: 'Fischer', verbs: ['create', 'get', 'list', 'patch'] },
      ] });
    }
    if (url.pathname === '/openapi/v2') {
      const body = JSON.stringify(wardleSwagger(openapi.fischerSpec));
      const etag = `"${createHash('sha256').update(body).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) { res.writeHead(304, { ETag: etag }); res.end(); return; }
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: etag });
      res.end(body);
      return;
    }
    // what kubectl's validation reads: a PATCH operation of the kind that takes fieldValidation
    if (url.pathname === '/openapi/v3') return send(200, { paths: { [`apis/${GV}`]: { serverRelativeURL: `/openapi/v3/apis/${GV}?hash=1` } } });
    if (url.pathname === `/openapi/v3/apis/${GV}`) return send(200, wardleOpenAPIV3());
    const m = new RegExp(`^/apis/${GV}/namespaces/([^/]+)/(flunders|fischers)(?:/([^/]+))?$`).exec(url.pathname);
    if (!m) return send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
    const [, ns, resource, name] = m;
    const kind = resource === 'flunders' ? 'Flunder' : 'Fischer';
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const o = JSON.parse(body);
        o.metadata = { ...o.metadata, namespace: ns, resourceVersion: String(++rv), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          annotations: { ...o.metadata?.annotations, 'wardle.example.com/created-by': String(req.headers['x-remote-user']) } };
        objects.set(`${resource}/${ns}/${o.metadata.name}`, o);
        if (resource === 'flunders') for (const w of watchers) w(o);
        send(201, o);
      });
      return;
    }
    if (name) { const o = objects.get(`${resource}/${ns}/${name}`); return o ? send(200, o) : send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${resource}.${GROUP} "${name}" not found`, details: { name, group: GROUP, kind: resource } }); }
    const items = [...objects.entries()].filter(([k]) => k.startsWith(`${resource}/${ns}/`)).map(([, o]) => o);
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      const emit = (o: any) => res.write(JSON.stringify({ type: 'ADDED', object: o }) + '\n');
      items.forEach(emit);
      watchers.add(emit);
      res.on('close', () => watchers.delete(emit));
      return;
    }
    if (String(req.headers.accept).includes('as=Table')) {
      return send(200, { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: String(rv) },
        columnDefinitions: [{ name: 'Name', type: 'string', format: 'name' }, { name: 'Created-By', type: 'string', format: '' }],
        rows: items.map((o) => ({ cells: [o.metadata.name, o.metadata.annotations['wardle.example.com/created-by']], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } })) });
    }
    send(200, { kind: `${kind}List`, apiVersion: GV, metadata: { resourceVersion: String(rv) }, items });
  };
  const opts = { ...tls, ca: frontProxyCA, requestCert: true, rejectUnauthorized: false };
  return { server: https.createServer(opts, handler), atClusterIP: https.createServer(opts, handler), seen, objects, openapi };
}

const eventually = async <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try { const v = await fn(); if (v !== undefined) return v; } catch (err) { last = err; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
};

describe('API aggregation: APIService proxying to a real extension API server', () => {
  let c: PkiCluster;
  let ext: ReturnType<typeof extensionServer>;
  let extPort = 0;
  let svcPort = 0;
  let jane = '';
  let caBundle = '';

  const available = async (name: string) => {
    const r = await c.kubectl(c.admin, ['get', 'apiservice', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].reason}']);
    return r.stdout;
  };

  before(async () => {
    c = await startPkiCluster((pk) => [
      '--authorization-mode', 'Node,RBAC',
      '--requestheader-client-ca-file', pk('front-proxy-ca.crt'), '--requestheader-allowed-names', 'front-proxy-client',
      '--requestheader-username-headers', 'X-Remote-User', '--requestheader-group-headers', 'X-Remote-Group', '--requestheader-extra-headers-prefix', 'X-Remote-Extra-',
      '--proxy-client-cert-file', pk('front-proxy-client.crt'), '--proxy-client-key-file', pk('front-proxy-client.key'),
      '--service-cluster-ip-range', '127.77.0.0/24',
    ]);
    const ca = await issueCA('wardle-ca');
    caBundle = Buffer.from(ca.certPem).toString('base64');
    const serving = await issueLeaf(await importSigner(ca.certPem, ca.keyPem, 'wardle CA'), { cn: 'api.wardle.svc', orgs: [], usages: ['server'], sans: { dns: ['api.wardle.svc'], ips: [] } });
    ext = extensionServer({ cert: serving.certPem, key: serving.keyPem }, fs.readFileSync(`${c.pkiDir}/front-proxy-ca.crt`, 'utf8'));
    await new Promise<void>((r) => ext.server.listen(0, '127.0.0.1', () => r()));
    extPort = (ext.server.address() as AddressInfo).port;
    await new Promise<void>((r) => ext.atClusterIP.listen(0, CLUSTER_IP, () => r()));
    svcPort = (ext.atClusterIP.address() as AddressInfo).port;
    jane = await c.kubeconfig({ file: 'jane.conf', cn: 'jane', orgs: ['wardle-users'] });
    await c.k('create', 'namespace', 'wardle');
    const objects = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'wardle' }, spec: { clusterIP: CLUSTER_IP, ports: [{ name: 'https', port: svcPort, targetPort: extPort }] } },
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'api-1', namespace: 'wardle', labels: { 'kubernetes.io/service-name': 'api' } },
        addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }], ports: [{ name: 'https', port: extPort, protocol: 'TCP' }] },
      { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `v1alpha1.${GROUP}` },
        spec: { group: GROUP, version: 'v1alpha1', service: { namespace: 'wardle', name: 'api', port: svcPort }, caBundle, groupPriorityMinimum: 1000, versionPriority: 15 } },
    ];
    const r = await c.kubectl(c.admin, ['create', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    for (const s of [ext?.server, ext?.atClusterIP]) { s?.closeAllConnections(); s?.close(); }
    await c?.stop();
  });

  it('built-in groups have Local APIServices; the new one turns Available and kubectl get apiservices shows SERVICE and AVAILABLE', async () => {
    await eventually('the APIService available', async () => ((await available(`v1alpha1.${GROUP}`)) === 'True Passed' ? true : undefined));
    const table = await c.k('get', 'apiservices');
    const header = table.split('\n')[0].split(/\s+/);
    assert.deepEqual(header, ['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
    assert.match(table, /^v1\.apps\s+Local\s+True\s+/m);
    assert.match(table, /^v1\.\s+Local\s+True\s+/m);
    assert.match(table, /^v1alpha1\.wardle\.example\.com\s+wardle\/api\s+True\s+/m);
    const local = JSON.parse(await c.k('get', 'apiservice', 'v1.apps', '-o', 'json'));
    assert.equal(local.spec.service, undefined);
    assert.equal(local.metadata.labels['kube-aggregator.kubernetes.io/automanaged'], 'onstart');
    assert.deepEqual(local.status.conditions.map((x: any) => [x.type, x.status, x.reason, x.message]), [['Available', 'True', 'Local', 'Local APIServices are always available']]);
    // the discovery check came with the front-proxy certificate, as system:kube-aggregator, to the ClusterIP (default routing)
    const check = ext.seen.find((s) => s.path === `/apis/${GV}`)!;
    assert.deepEqual([check.cn, check.user, check.groups, check.local], ['front-proxy-client', 'system:kube-aggregator', ['system:masters'], CLUSTER_IP]);
  });

  it('discovery lists the aggregated group: /apis, /apis/GROUP, aggregated discovery and kubectl api-resources', async () => {
    const groups = JSON.parse(await c.k('get', '--raw', '/apis'));
    const g = groups.groups.find((x: any) => x.name === GROUP);
    assert.deepEqual(g, { name: GROUP, versions: [{ groupVersion: GV, version: 'v1alpha1' }], preferredVersion: { groupVersion: GV, version: 'v1alpha1' } });
    assert.equal(JSON.parse(await c.k('get', '--raw', `/apis/${GROUP}`)).preferredVersion.groupVersion, GV);
    assert.equal(JSON.parse(await c.k('get', '--raw', `/apis/${GV}`)).resources[0].name, 'flunders');
    const v2 = JSON.parse(await c.k('get', '--raw', '/openapi/v3'));
    assert.match(v2.paths[`apis/${GV}`].serverRelativeURL, new RegExp(`^/openapi/v3/apis/${GV}\\?hash=[0-9A-F]{128}$`));
    assert.equal(JSON.parse(await c.k('get', '--raw', v2.paths[`apis/${GV}`].serverRelativeURL)).info.title, 'wardle');
    const res = await c.k('api-resources', '--api-group', GROUP);
    assert.match(res, /^flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder\s*$/m, res);
  });

  it('kubectl create, get and watch (an event arriving on the open watch) go through the aggregator to the backend as the authenticated user', async () => {
    const who = JSON.parse(await c.k('auth', 'whoami', '-o', 'json')).status.userInfo;
    const watch = spawn('/usr/bin/kubectl', ['--kubeconfig', c.admin, 'get', 'flunders', '-n', 'default', '--watch', '-o', 'name'], { env: { ...process.env, HOME: c.dir } });
    let watched = '';
    watch.stderr.on('data', (d: Buffer) => { watched += d; });
    watch.stdout.on('data', (d: Buffer) => { watched += d; });
    try {
      // kubectl lists (nothing yet), then watches: both reach the backend before anything exists
      await eventually('the watch open at the backend', async () => (ext.seen.filter((s) => s.path.endsWith('/flunders') && s.method === 'GET').length === 2 ? true : undefined));
      assert.equal(watched, '');
      const created = await c.kubectl(c.admin, ['create', '-f', '-'], JSON.stringify({ apiVersion: GV, kind: 'Flunder', metadata: { name: 'first' }, spec: {} }));
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /flunder\.wardle\.example\.com\/first created/);
      const post = ext.seen.find((s) => s.method === 'POST')!;
      assert.deepEqual([post.cn, post.user, post.groups], ['front-proxy-client', who.username, who.groups]);
      await eventually('the ADDED event through the proxy', async () => (/^flunder\.wardle\.example\.com\/first$/m.test(watched) ? true : undefined), 30_000)
        .catch((err) => { throw new Error(`${err.message}; kubectl printed ${JSON.stringify(watched)}; backend saw ${JSON.stringify(ext.seen.filter((x) => x.path.includes('flunders')))}`); });
    } finally {
      watch.kill();
    }
    const table = await c.k('get', 'flunders', '-n', 'default');
    assert.match(table, /^NAME\s+CREATED-BY/m);
    assert.match(table, new RegExp(`^first\\s+${who.username}\\s*$`, 'm'));
    assert.equal(JSON.parse(await c.k('get', 'flunder', 'first', '-n', 'default', '-o', 'json')).metadata.annotations['wardle.example.com/created-by'], who.username);
  });

  it('an unauthorized user is refused by RBAC before proxying; an authorized one cannot pose as another with X-Remote-User', async () => {
    const before = ext.seen.length;
    const r = await c.kubectl(jane, ['get', 'flunders', '-n', 'default']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /flunders\.wardle\.example\.com is forbidden: User "jane" cannot list resource "flunders" in API group "wardle\.example\.com" in the namespace "default"/);
    assert.equal(ext.seen.slice(before).filter((s) => s.path.includes('/flunders')).length, 0);

    await c.k('create', 'clusterrole', 'flunder-reader', '--verb=get,list', `--resource=flunders.${GROUP}`);
    await c.k('create', 'clusterrolebinding', 'jane-flunders', '--clusterrole=flunder-reader', '--user=jane');
    const conf = fs.readFileSync(jane, 'utf8');
    const cert = Buffer.from(/client-certificate-data: (\S+)/.exec(conf)![1], 'base64').toString();
    const key = Buffer.from(/client-key-data: (\S+)/.exec(conf)![1], 'base64').toString();
    const got = await eventually('jane allowed', () => new Promise<number | undefined>((resolve, reject) => {
      https.get(`${c.apiURL}/apis/${GV}/namespaces/default/flunders`, { ca: fs.readFileSync(`${c.pkiDir}/ca.crt`), cert, key, agent: false,
        headers: { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters', 'Impersonate-User': '' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? 200 : undefined));
      }).on('error', reject);
    }));
    assert.equal(got, 200);
    const last = ext.seen.filter((s) => s.path.endsWith('/flunders')).at(-1)!;
    assert.deepEqual([last.user, last.groups], ['jane', ['wardle-users', 'system:authenticated']]);
  });

  it('/openapi/v2 (JSON and protobuf) merges the server\'s Swagger document: kubectl explain and client-side apply validation use it; it follows the server', async () => {
    const apiGet = async (path: string) => JSON.parse(await c.k('get', '--raw', path));
    const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
    const doc = await eventually('the wardle paths in /openapi/v2', async () => {
      const d = await apiGet('/openapi/v2');
      return d.paths[`/apis/${GV}/namespaces/{namespace}/flunders/{name}`] ? d : undefined;
    });
    // cut to the group version (the other group's path and its definition, the unused parameter are gone)
    assert.equal(doc.paths['/apis/other.example.com/v1/things'], undefined);
    assert.equal(doc.definitions['com.example.other.v1.Thing'], undefined);
    assert.deepEqual(Object.keys(doc.parameters), ['fieldValidation-wardle']);
    assert.deepEqual(doc.paths[`/apis/${GV}/namespaces/{namespace}/flunders/{name}`].patch.parameters[1], { $ref: '#/parameters/fieldValidation-wardle' });
    // this server's paths and ObjectMeta stay; the server's different ObjectMeta is renamed and its references follow
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}']);
    assert.ok(doc.definitions[`${META}.ObjectMeta`].properties.managedFields);
    assert.equal(doc.definitions[`${META}.ObjectMeta_v2`].description, 'ObjectMeta as the wardle server knows it.');
    assert.equal(doc.definitions['com.example.wardle.v1alpha1.Fischer'].properties.metadata.$ref, `#/definitions/${META}.ObjectMeta_v2`);

    // v2 protobuf: kubectl explain --output plaintext-openapiv2 reads it
    const explained = await c.k('explain', 'fischers.spec', '--output', 'plaintext-openapiv2');
    assert.match(explained, /FischerSpec is the specification of a Fischer\./);
    assert.match(explained, /disallowedFlunders\s+<\[\]string>/);
    // v3 (kubectl's default): the server's own group version document
    assert.match(await c.k('explain', 'flunders.spec'), /reference\s+<string>\s+The name of another flunder\./);

    // fischers take no fieldValidation: kubectl validates against /openapi/v2 before sending anything
    const posts = () => ext.seen.filter((x) => x.method === 'POST' && x.path.endsWith('/fischers')).length;
    const bad = await c.kubectl(c.admin, ['apply', '-f', '-'], JSON.stringify({ apiVersion: GV, kind: 'Fischer', metadata: { name: 'bad', namespace: 'default' }, spec: { bogus: 1 } }));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown field "bogus"/);
    assert.equal(posts(), 0);
    const good = await c.kubectl(c.admin, ['apply', '-f', '-'], JSON.stringify({ apiVersion: GV, kind: 'Fischer', metadata: { name: 'good', namespace: 'default' }, spec: { disallowedFlunders: ['first'] } }));
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /fischer\.wardle\.example\.com\/good created/);
    assert.equal(posts(), 1);

    // downloads are conditional; a changed document replaces the old one at the next check
    await eventually('a conditional download', async () => (ext.seen.some((x) => x.path === '/openapi/v2' && x.ifNoneMatch) ? true : undefined), 30_000);
    const v2 = ext.seen.find((x) => x.path === '/openapi/v2')!;
    assert.deepEqual([v2.user, v2.groups, v2.cn], ['system:aggregator', ['system:authenticated'], 'front-proxy-client']);
    ext.openapi.fischerSpec = 'FischerSpec, second edition.';
    await eventually('the new document merged', async () => ((await apiGet('/openapi/v2')).definitions['com.example.wardle.v1alpha1.FischerSpec'].description === 'FischerSpec, second edition.' ? true : undefined), 30_000);
  });

  it('--enable-aggregator-routing sends requests to the endpoint IPs instead of the ClusterIP; a bad value is refused', async () => {
    const bad = runTskube(['apiserver', '--enable-aggregator-routing=maybe', '--etcd-servers', c.etcdURL]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid --enable-aggregator-routing "maybe": want true or false/);
    const second = await c.startApiserver(['--enable-aggregator-routing']);
    try {
      const before = ext.seen.length;
      const r = await eventually('a list through the second API server', async () => {
        const x = await c.kubectl(c.admin, ['--server', second.url, 'get', 'flunders', '-n', 'default', '-o', 'name']);
        return x.code === 0 ? x : undefined;
      });
      assert.match(r.stdout, /^flunder\.wardle\.example\.com\/first$/m);
      const lists = ext.seen.slice(before).filter((s) => s.path.endsWith('/flunders'));
      assert.deepEqual([...new Set(lists.map((s) => s.local))], ['127.0.0.1']);
      // the first API server still goes to the ClusterIP
      await c.k('get', 'flunders', '-n', 'default');
      assert.equal(ext.seen.at(-1)!.local, CLUSTER_IP);
    } finally {
      await second.stop();
    }
  });

  it('an APIService whose name is not VERSION.GROUP is Invalid with upstream message', async () => {
    const r = await c.kubectl(c.admin, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.wrong.example.com' },
      spec: { group: 'other.example.com', version: 'v1', service: { namespace: 'wardle', name: 'api' }, insecureSkipTLSVerify: true, groupPriorityMinimum: 1000, versionPriority: 15 } }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /metadata\.name: Invalid value: "v1\.wrong\.example\.com": must be `spec\.version\+"\."\+spec\.group`: "v1\.other\.example\.com"/);
  });

  it('Available follows the backend: FailedDiscoveryCheck when it stops, MissingEndpoints, ServiceNotFound; requests then get 503', async () => {
    for (const s of [ext.server, ext.atClusterIP]) { s.closeAllConnections(); await new Promise<void>((r) => s.close(() => r())); }
    const down = await eventually('Available False', async () => {
      const v = await available(`v1alpha1.${GROUP}`);
      return v.startsWith('False') ? v : undefined;
    });
    assert.equal(down, 'False FailedDiscoveryCheck');
    const msg = await c.k('get', 'apiservice', `v1alpha1.${GROUP}`, '-o', 'jsonpath={.status.conditions[0].message}');
    assert.match(msg, new RegExp(`^failing or missing response from https://${CLUSTER_IP.replaceAll('.', '\\.')}:${svcPort}/apis/${GV}: `));
    assert.match(await c.k('get', 'apiservices'), /^v1alpha1\.wardle\.example\.com\s+wardle\/api\s+False \(FailedDiscoveryCheck\)\s+/m);
    const r = await c.kubectl(c.admin, ['get', 'flunders', '-n', 'default']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the server is currently unable to handle the request/);

    await c.k('delete', 'endpointslice', 'api-1', '-n', 'wardle');
    assert.equal(await eventually('MissingEndpoints', async () => { const v = await available(`v1alpha1.${GROUP}`); return v.includes('MissingEndpoints') ? v : undefined; }), 'False MissingEndpoints');
    await c.k('delete', 'service', 'api', '-n', 'wardle');
    assert.equal(await eventually('ServiceNotFound', async () => { const v = await available(`v1alpha1.${GROUP}`); return v.includes('ServiceNotFound') ? v : undefined; }), 'False ServiceNotFound');
    assert.equal(await c.k('get', 'apiservice', `v1alpha1.${GROUP}`, '-o', 'jsonpath={.status.conditions[0].message}'), 'service/api in "wardle" is not present');

    // the OpenAPI documents outlive an outage (the last good ones) and go with the APIService
    const v2 = JSON.parse(await c.k('get', '--raw', '/openapi/v2'));
    assert.ok(v2.definitions['com.example.wardle.v1alpha1.Flunder']);
    await c.k('delete', 'apiservice', `v1alpha1.${GROUP}`);
    await eventually('the documents dropped', async () => {
      const [d2, d3] = [JSON.parse(await c.k('get', '--raw', '/openapi/v2')), JSON.parse(await c.k('get', '--raw', '/openapi/v3'))];
      return !d2.definitions['com.example.wardle.v1alpha1.Flunder'] && !d2.paths[`/apis/${GV}/namespaces/{namespace}/flunders/{name}`] && !d3.paths[`apis/${GV}`] ? true : undefined;
    });
  });
});
