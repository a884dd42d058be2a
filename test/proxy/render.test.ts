// Pure rendering of kube-proxy's iptables chains and the restore input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildServicePorts, ServicePortBuilder, type ServicePort } from '../../src/proxy/service-port.js';
import { portRules, probability, render, sharedChains } from '../../src/proxy/iptables/render.js';
import { sepChain, svcChain, svcsChain, svlChain } from '../../src/proxy/iptables/chain-names.js';
import { emptyWritten, partialInput, restoreInput } from '../../src/proxy/iptables/restore-input.js';
import { parseDuration } from '../../src/proxy/duration.js';

const svc = (name: string, ip: string, spec: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  metadata: { namespace: 'dev', name }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
});
const slice = (svcName: string, ips: string[], extra: { ready?: boolean; node?: string } = {}): EndpointSlice => ({
  addressType: 'IPv4', metadata: { namespace: 'dev', name: `${svcName}-abc`, labels: { 'kubernetes.io/service-name': svcName } },
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: extra.ready ?? true }, nodeName: extra.node ?? 'node-a' })),
});

test('chain names are upstream-shaped hashes', () => {
  const name = svcChain('dev/web:http', 'TCP');
  assert.match(name, /^KUBE-SVC-[A-Z2-7]{16}$/);
  assert.equal(name, svcChain('dev/web:http', 'TCP'));
  assert.notEqual(name, svcChain('dev/web:http', 'UDP'));
  assert.match(sepChain('dev/web:http', 'TCP', '10.0.0.1:80'), /^KUBE-SEP-[A-Z2-7]{16}$/);
  assert.ok(name.length <= 28);
});

test('ClusterIP with three endpoints: random spread, DNAT, hairpin masquerade', () => {
  const ports = buildServicePorts([svc('web', '10.96.0.20')], [slice('web', ['10.244.0.3', '10.244.0.1', '10.244.0.2'])], 'node-a');
  const rs = render(ports, { clusterCIDR: '10.244.0.0/16' });
  const svcName = svcChain('dev/web:http', 'TCP');
  // KUBE-SERVICES jumps to the ClusterIP's /20 block, which holds the Service's rule
  const services = rs.nat.get('KUBE-SERVICES')!;
  const block = svcsChain('10.96.0.0/20');
  assert.ok(services.some((r) => r.includes('-d 10.96.0.0/20 -j ' + block)));
  assert.ok(rs.nat.get(block)!.some((r) => r.includes('-d 10.96.0.20/32 --dport 80') && r.endsWith(`-j ${svcName}`)));
  assert.match(services[services.length - 1], /KUBE-NODEPORTS$/);
  const chain = rs.nat.get(svcName)!;
  assert.match(chain[0], /! -s 10\.244\.0\.0\/16 -j KUBE-MARK-MASQ/);
  assert.match(chain[1], /--probability 0\.3333333333 /);
  assert.match(chain[2], /--probability 0\.5000000000 /);
  assert.doesNotMatch(chain[3], /statistic/);
  const sep = rs.nat.get(sepChain('dev/web:http', 'TCP', '10.244.0.1:8080'))!;
  assert.match(sep[0], /-s 10\.244\.0\.1\/32 -j KUBE-MARK-MASQ/);
  assert.match(sep[1], /-j DNAT --to-destination 10\.244\.0\.1:8080$/);
  assert.equal(probability(0, 4), '0.2500000000');
  assert.equal(rs.filter.get('KUBE-SERVICES')!.length, 0);
});

test('no ready endpoints: REJECT in filter KUBE-SERVICES, no NAT chains', () => {
  const ports = buildServicePorts([svc('web', '10.96.0.20', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
    [slice('web', ['10.244.0.3'], { ready: false })], 'node-a');
  const rs = render(ports);
  assert.ok(rs.filter.get('KUBE-SERVICES')!.some((r) => r.includes('has no endpoints') && r.includes('-d 10.96.0.20/32 --dport 80 -j REJECT')));
  assert.ok(rs.filter.get('KUBE-EXTERNAL-SERVICES')!.some((r) => r.includes('--dport 30080 -j REJECT')));
  assert.equal([...rs.nat.keys()].filter((c) => c.startsWith('KUBE-S')).length, 1); // only KUBE-SERVICES
});

test('sessionAffinity ClientIP uses -m recent with the timeout', () => {
  const ports = buildServicePorts([svc('web', '10.96.0.20', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })],
    [slice('web', ['10.244.0.1', '10.244.0.2'])], 'node-a');
  const rs = render(ports);
  const chain = rs.nat.get(svcChain('dev/web:http', 'TCP'))!;
  const sep1 = sepChain('dev/web:http', 'TCP', '10.244.0.1:8080');
  assert.match(chain[0], new RegExp(`-m recent --name ${sep1} --rcheck --seconds 60 --reap -j ${sep1}$`));
  assert.match(rs.nat.get(sep1)![1], new RegExp(`-m recent --name ${sep1} --set -m tcp -p tcp -j DNAT`));
});

test('NodePort with externalTrafficPolicy Local sends outside traffic to local endpoints only', () => {
  const ports = buildServicePorts([svc('web', '10.96.0.20', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
    [slice('web', ['10.244.0.1']), slice('web', ['10.244.1.1'], { node: 'node-b' })], 'node-a');
  const rs = render(ports, { clusterCIDR: '10.244.0.0/16', nodePortAddresses: ['192.168.0.0/24'] });
  const ext = [...rs.nat.keys()].find((c) => c.startsWith('KUBE-EXT-'))!;
  assert.ok(rs.nat.get('KUBE-NODEPORTS')!.some((r) => r.includes('--dport 30080') && r.endsWith(`-j ${ext}`)));
  const svl = [...rs.nat.keys()].find((c) => c.startsWith('KUBE-SVL-'))!;
  assert.equal(rs.nat.get(ext)!.at(-1), `-A ${ext} -j ${svl}`);
  assert.equal(rs.nat.get(svl)!.length, 1, 'only the local endpoint');
  assert.ok(rs.nat.get('KUBE-SERVICES')!.some((r) => r.includes('-d 192.168.0.0/24 -j KUBE-NODEPORTS')));
});

test('internalTrafficPolicy Local without local endpoints drops ClusterIP traffic', () => {
  const ports = buildServicePorts([svc('web', '10.96.0.20', { internalTrafficPolicy: 'Local' })], [slice('web', ['10.244.1.1'], { node: 'node-b' })], 'node-a');
  const rs = render(ports);
  assert.ok(rs.filter.get('KUBE-SERVICES')!.some((r) => r.includes('has no local endpoints') && r.endsWith('-j DROP')));
});

test('--masquerade-all marks every ClusterIP packet, in the chain ClusterIP traffic enters (SVL for internalTrafficPolicy Local)', () => {
  const ports = buildServicePorts([svc('web', '10.96.0.20'), svc('itp', '10.96.0.21', { internalTrafficPolicy: 'Local' })],
    [slice('web', ['10.244.0.1']), slice('itp', ['10.244.0.2'])], 'node-a');
  const rs = render(ports, { clusterCIDR: '10.244.0.0/16', masqueradeAll: true });
  const web = rs.nat.get(svcChain('dev/web:http', 'TCP'))!;
  assert.match(web[0], /-d 10\.96\.0\.20\/32 --dport 80 -j KUBE-MARK-MASQ$/);
  assert.ok(web.every((r) => !r.includes('! -s')), web.join('\n'));
  const svl = rs.nat.get(svlChain('dev/itp:http', 'TCP'))!;
  assert.match(svl[0], /-d 10\.96\.0\.21\/32 --dport 80 -j KUBE-MARK-MASQ$/);
  // without it, only off-cluster sources are marked
  assert.match(render(ports, { clusterCIDR: '10.244.0.0/16' }).nat.get(svlChain('dev/itp:http', 'TCP'))![0], /! -s 10\.244\.0\.0\/16 -j KUBE-MARK-MASQ$/);
});

test('headless and ExternalName Services are not proxied', () => {
  const ports = buildServicePorts([svc('h', 'None'), svc('x', '', { type: 'ExternalName', externalName: 'example.com' })], [], 'n');
  assert.equal(ports.length, 0);
});

test('restore input rewrites only changed chains and deletes stale ones', () => {
  const a = render(buildServicePorts([svc('web', '10.96.0.20'), svc('api', '10.96.0.21')], [slice('web', ['10.244.0.1']), slice('api', ['10.244.0.2'])], 'n'));
  const first = restoreInput(a, emptyWritten(), { nat: new Set(), filter: new Set() }, true);
  // a full sync lists each table first (iptables-nft then skips its per-chain bookkeeping)
  assert.match(first.text, /^\*filter\n-S\n/);
  assert.match(first.text, /\n\*nat\n-S\n/);
  assert.match(first.text, /COMMIT\n$/);
  const existing = { nat: new Set(first.next.nat.keys()), filter: new Set(first.next.filter.keys()) };
  const same = restoreInput(a, first.next, existing, false);
  assert.equal(same.text, '');
  const b = render(buildServicePorts([svc('web', '10.96.0.20')], [slice('web', ['10.244.0.1'])], 'n'));
  const second = restoreInput(b, first.next, existing, false);
  const apiSvc = svcChain('dev/api:http', 'TCP');
  assert.ok(second.text.includes(`-X ${apiSvc}`));
  assert.ok(second.text.includes(`:${svcsChain('10.96.0.0/20')} - [0:0]`));
  assert.ok(!second.text.includes(':KUBE-SERVICES '), 'the block is still there: KUBE-SERVICES unchanged');
  assert.ok(!second.text.includes('\n-S\n'), 'a partial sync lists nothing');
  assert.ok(!second.text.includes(`:${svcChain('dev/web:http', 'TCP')} `), 'unchanged chain not rewritten');
  assert.equal(second.deletedChains, 2);
});

test('a partial sync looks only at Service ports whose rendering changed, and at the shared chains', () => {
  const o = {};
  const builder = new ServicePortBuilder('n');
  const services = [svc('web', '10.96.0.20'), svc('api', '10.96.0.21'), svc('db', '10.96.0.22')];
  const slices = [slice('web', ['10.244.0.1']), slice('api', ['10.244.0.2']), slice('db', ['10.244.0.3'])];
  const parts = (ports: ServicePort[]) => new Map(ports.map((sp) => [`${sp.key}/${sp.protocol}`, portRules(sp, o)]));
  const p0 = parts(builder.build(services, slices));
  const all = sharedChains([...p0.values()], o);
  for (const pr of p0.values()) for (const [table, chain, rules] of pr.own) all[table].set(chain, rules);
  const written = restoreInput(all, emptyWritten(), { nat: new Set(), filter: new Set() }, true).next;
  // api's endpoint moves (a new slice object), db goes away; web is the very same object
  const p1 = parts(builder.build(services.slice(0, 2), [slices[0], slice('api', ['10.244.0.9'])]));
  const plan = partialInput(written, p0, p1, sharedChains([...p1.values()], o));
  const sep = (name: string, ep: string) => sepChain(`dev/${name}:http`, 'TCP', `${ep}:8080`);
  assert.ok(plan.text.includes(`:${sep('api', '10.244.0.9')} - [0:0]`));
  assert.ok(plan.text.includes(`:${svcChain('dev/api:http', 'TCP')} - [0:0]`));
  assert.ok(plan.text.includes(`-X ${sep('api', '10.244.0.2')}`));
  assert.ok(plan.text.includes(`-X ${svcChain('dev/db:http', 'TCP')}`) && plan.text.includes(`-X ${sep('db', '10.244.0.3')}`));
  assert.ok(plan.text.includes(`:${svcsChain('10.96.0.0/20')} - [0:0]`), 'db left its block');
  assert.ok(!plan.text.includes(':KUBE-SERVICES '), 'KUBE-SERVICES unchanged');
  assert.ok(!plan.text.includes(`:${svcChain('dev/web:http', 'TCP')} `) && !plan.text.includes(`:${sep('web', '10.244.0.1')} `), 'web untouched');
  assert.equal(plan.deletedChains, 3);
  plan.commit();
  assert.ok(written.nat.has(sep('api', '10.244.0.9')) && !written.nat.has(sep('api', '10.244.0.2')) && !written.nat.has(svcChain('dev/db:http', 'TCP')));
  // nothing changed: nothing to write
  assert.equal(partialInput(written, p1, p1, sharedChains([...p1.values()], o)).text, '');
});

test('a Service added or removed rewrites its ClusterIP block, not KUBE-SERVICES; an emptied block goes', () => {
  const o = {};
  const builder = new ServicePortBuilder('n');
  const services = [svc('web', '10.96.0.20'), svc('api', '10.96.16.5')];
  const slices = [slice('web', ['10.244.0.1']), slice('api', ['10.244.0.2'])];
  const parts = (ports: ServicePort[]) => new Map(ports.map((sp) => [`${sp.key}/${sp.protocol}`, portRules(sp, o)]));
  const p0 = parts(builder.build(services, slices));
  const all = sharedChains([...p0.values()], o);
  for (const pr of p0.values()) for (const [table, chain, rules] of pr.own) all[table].set(chain, rules);
  const written = restoreInput(all, emptyWritten(), undefined, true).next;
  const [b0, b16] = [svcsChain('10.96.0.0/20'), svcsChain('10.96.16.0/20')];
  assert.notEqual(b0, b16);
  // a new Service in web's block: that block is rewritten, nothing else shared
  const more = [...services, svc('new', '10.96.1.7')];
  const p1 = parts(builder.build(more, [...slices, slice('new', ['10.244.0.3'])]));
  const add = partialInput(written, p0, p1, sharedChains([...p1.values()], o));
  assert.ok(add.text.includes(`:${b0} - [0:0]`) && !add.text.includes(`:${b16} `) && !add.text.includes(':KUBE-SERVICES '));
  add.commit();
  // api, alone in its block, goes: the block chain and its jump go with it
  const p2 = parts(builder.build([more[0], more[2]], [slices[0], slice('new', ['10.244.0.3'])]));
  const shared2 = sharedChains([...p2.values()], o);
  const del = partialInput(written, p1, p2, shared2);
  assert.ok(del.text.includes(':KUBE-SERVICES - [0:0]') && del.text.includes(`-X ${b16}`));
  assert.ok(!shared2.nat.get('KUBE-SERVICES')!.some((r) => r.includes(b16)));
  del.commit();
  assert.ok(!written.nat.has(b16) && written.nat.has(b0));
});

test('Go durations', () => {
  assert.equal(parseDuration('1s'), 1000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.throws(() => parseDuration('fast'), /invalid duration/);
});
