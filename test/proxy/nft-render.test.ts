// Pure parts of the nftables proxier: names, the rendered table, and the transactions a
// full and a partial sync write; parsing conntrack's listing and choosing stale UDP entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildServicePorts, ServicePortBuilder } from '../../src/proxy/service-port.js';
import { hashAndTruncate } from '../../src/proxy/nftables/names.js';
import { NftRenderer, render, setupCommands } from '../../src/proxy/nftables/render.js';
import { planSync } from '../../src/proxy/nftables/transaction.js';
import { parseConntrack, staleUdpEntries } from '../../src/proxy/conntrack.js';

const svc = (name: string, ip: string, spec: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  metadata: { namespace: 'dev', name }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
});
const slice = (svcName: string, ips: string[], extra: { ready?: boolean; node?: string; proto?: 'TCP' | 'UDP' } = {}): EndpointSlice => ({
  addressType: 'IPv4', metadata: { namespace: 'dev', name: `${svcName}-abc`, labels: { 'kubernetes.io/service-name': svcName } },
  ports: [{ name: 'http', port: 8080, protocol: extra.proto ?? 'TCP' }],
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: extra.ready ?? true }, nodeName: extra.node ?? 'node-a' })),
});
const nodePort: Partial<NonNullable<Service['spec']>> = { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] };
const none = { chains: new Set<string>(), affinity: new Map<string, number | undefined>() };

test('names carry upstream\'s hash prefix (same vectors as upstream\'s tests)', () => {
  assert.equal(hashAndTruncate('ns1/svc1/tcp/p80'), 'ULMVA6XW-ns1/svc1/tcp/p80');
  assert.equal(hashAndTruncate('ns1/svc1/tcp/p80__10.180.0.1/80'), '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  assert.ok(hashAndTruncate('x'.repeat(300)).endsWith('...'));
});

test('a plain ClusterIP Service: its endpoints are @service-endpoints elements picked by the shared endpoints-N chain', () => {
  const rs = render(buildServicePorts([svc('web', '10.96.0.20')], [slice('web', ['10.244.0.3', '10.244.0.1', '10.244.0.2'])], 'node-a'), { clusterCIDR: '10.244.0.0/16' });
  assert.equal(rs.elements.get('service-ips')!.get('10.96.0.20 . tcp . 80'), ' : goto endpoints-3');
  assert.deepEqual(rs.chains.get('endpoints-3'), [
    'ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
    'dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 3 map @service-endpoints',
  ]);
  assert.deepEqual([...rs.elements.get('service-endpoints')!], [
    ['10.96.0.20 . tcp . 80 . 0', ' : 10.244.0.1 . 8080'],
    ['10.96.0.20 . tcp . 80 . 1', ' : 10.244.0.2 . 8080'],
    ['10.96.0.20 . tcp . 80 . 2', ' : 10.244.0.3 . 8080'],
  ]);
  assert.ok(!rs.chains.has(`service-${hashAndTruncate('dev/web/tcp/http')}`));
  assert.deepEqual([...rs.elements.get('hairpin-endpoints')!.keys()], ['10.244.0.1 . 10.244.0.1', '10.244.0.2 . 10.244.0.2', '10.244.0.3 . 10.244.0.3']);
  assert.ok(rs.elements.get('cluster-ips')!.has('10.96.0.20'));
});

test('a NodePort Service with an external IP (policies Cluster): elements too, its external traffic masqueraded by the shared chains', () => {
  const spec = { ...nodePort, externalIPs: ['192.0.2.7'] };
  const rs = render(buildServicePorts([svc('web', '10.96.0.20', spec)], [slice('web', ['10.244.0.3', '10.244.0.1'])], 'node-a'), { clusterCIDR: '10.244.0.0/16' });
  assert.equal(rs.elements.get('service-ips')!.get('10.96.0.20 . tcp . 80'), ' : goto endpoints-2');
  assert.equal(rs.elements.get('service-ips')!.get('192.0.2.7 . tcp . 80'), ' : goto external-endpoints-2');
  assert.equal(rs.elements.get('service-nodeports')!.get('tcp . 30080'), ' : goto nodeport-endpoints-2');
  assert.deepEqual(rs.chains.get('external-endpoints-2'), [
    'jump mark-for-masquerade',
    'dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map @service-endpoints',
  ]);
  assert.deepEqual(rs.chains.get('nodeport-endpoints-2'), [
    'jump mark-for-masquerade',
    'dnat ip to meta l4proto . th dport . numgen random mod 2 map @nodeport-endpoints',
  ]);
  assert.deepEqual([...rs.elements.get('service-endpoints')!], [
    ['10.96.0.20 . tcp . 80 . 0', ' : 10.244.0.1 . 8080'], ['192.0.2.7 . tcp . 80 . 0', ' : 10.244.0.1 . 8080'],
    ['10.96.0.20 . tcp . 80 . 1', ' : 10.244.0.3 . 8080'], ['192.0.2.7 . tcp . 80 . 1', ' : 10.244.0.3 . 8080'],
  ]);
  assert.deepEqual([...rs.elements.get('nodeport-endpoints')!], [['tcp . 30080 . 0', ' : 10.244.0.1 . 8080'], ['tcp . 30080 . 1', ' : 10.244.0.3 . 8080']]);
  assert.ok(![...rs.chains.keys()].some((c) => c.includes('/')), 'no per-Service chain');
});

test('a plain UDP Service: @service-endpoints-udp elements picked by endpoints-udp-N (its own map: the data part names the protocol)', () => {
  const udp = svc('dns', '10.96.0.10', { ports: [{ name: 'http', port: 53, protocol: 'UDP' }] });
  const rs = render(buildServicePorts([udp], [slice('dns', ['10.244.0.4', '10.244.0.5'], { proto: 'UDP' })], 'node-a'), { clusterCIDR: '10.244.0.0/16' });
  assert.equal(rs.elements.get('service-ips')!.get('10.96.0.10 . udp . 53'), ' : goto endpoints-udp-2');
  assert.equal(rs.chains.get('endpoints-udp-2')![1], 'dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map @service-endpoints-udp');
  assert.deepEqual([...rs.elements.get('service-endpoints-udp')!.keys()], ['10.96.0.10 . udp . 53 . 0', '10.96.0.10 . udp . 53 . 1']);
  assert.equal(rs.elements.get('service-endpoints')!.size, 0);
});

test('a Service with externalTrafficPolicy Local keeps its own chains: masquerade for off-cluster sources, uniform random pick', () => {
  const rs = render(buildServicePorts([svc('web', '10.96.0.20', { ...nodePort, externalTrafficPolicy: 'Local' })], [slice('web', ['10.244.0.3', '10.244.0.1', '10.244.0.2'])], 'node-a'), { clusterCIDR: '10.244.0.0/16' });
  const chain = `service-${hashAndTruncate('dev/web/tcp/http')}`;
  assert.equal(rs.elements.get('service-ips')!.get('10.96.0.20 . tcp . 80'), ` : goto ${chain}`);
  assert.deepEqual(rs.chains.get(chain), [
    'ip daddr 10.96.0.20 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
    'numgen random mod 3 == 0 meta l4proto tcp dnat to 10.244.0.1:8080',
    'numgen random mod 2 == 0 meta l4proto tcp dnat to 10.244.0.2:8080',
    'meta l4proto tcp dnat to 10.244.0.3:8080',
  ]);
  assert.equal(rs.elements.get('service-endpoints')!.size, 0);
});

test('--masquerade-all marks every packet to a ClusterIP, whatever its source', () => {
  const rs = render(buildServicePorts([svc('web', '10.96.0.20')], [slice('web', ['10.244.0.1'])], 'node-a'), { clusterCIDR: '10.244.0.0/16', masqueradeAll: true });
  assert.equal(rs.chains.get('endpoints-1')![0], 'jump mark-for-masquerade');
  const np = render(buildServicePorts([svc('web', '10.96.0.20', { ...nodePort, externalTrafficPolicy: 'Local' })], [slice('web', ['10.244.0.1'])], 'node-a'), { clusterCIDR: '10.244.0.0/16', masqueradeAll: true });
  assert.equal(np.chains.get(`service-${hashAndTruncate('dev/web/tcp/http')}`)![0], 'ip daddr 10.96.0.20 tcp dport 80 jump mark-for-masquerade');
});

test('no ready endpoints: reject through @no-endpoint-services; Local policies without local endpoints: drop', () => {
  const rs = render(buildServicePorts(
    [svc('gone', '10.96.0.21', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30001, protocol: 'TCP' }] }),
      svc('itp', '10.96.0.22', { internalTrafficPolicy: 'Local' }),
      svc('etp', '10.96.0.23', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30002, protocol: 'TCP' }] })],
    [slice('gone', ['10.244.0.1'], { ready: false }), slice('itp', ['10.244.0.2'], { node: 'node-b' }), slice('etp', ['10.244.0.3'], { node: 'node-b' })], 'node-a'), { clusterCIDR: '10.244.0.0/16' });
  const noEp = rs.elements.get('no-endpoint-services')!;
  assert.equal(noEp.get('10.96.0.21 . tcp . 80'), ' comment "dev/gone:http" : goto reject-chain');
  assert.equal(noEp.get('10.96.0.22 . tcp . 80'), ' comment "dev/itp:http" : drop');
  assert.equal(rs.elements.get('no-endpoint-nodeports')!.get('tcp . 30001'), ' comment "dev/gone:http" : goto reject-chain');
  assert.equal(rs.elements.get('no-endpoint-nodeports')!.get('tcp . 30002'), ' comment "dev/etp:http" : drop');
  // the external chain still short-circuits pods and the node itself to the cluster-wide chain
  const ext = rs.chains.get(`external-${hashAndTruncate('dev/etp/tcp/http')}`)!;
  assert.match(ext[0], /^ip saddr 10\.244\.0\.0\/16 goto service-/);
  assert.ok(ext.every((r) => !r.startsWith('goto local-')));
  assert.equal(rs.elements.get('service-nodeports')!.get('tcp . 30002'), ` : goto external-${hashAndTruncate('dev/etp/tcp/http')}`);
});

test('ClientIP affinity: a timed set per endpoint, checked first and refreshed on every pick', () => {
  const rs = render(buildServicePorts([svc('s', '10.96.0.30', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })],
    [slice('s', ['10.244.0.1', '10.244.0.2'])], 'node-a'));
  const set = `affinity-${hashAndTruncate('dev/s/tcp/http__10.244.0.1/8080')}`;
  assert.equal(rs.affinity.get(set), 60);
  const rules = rs.chains.get(`service-${hashAndTruncate('dev/s/tcp/http')}`)!;
  assert.equal(rules[0], `ip saddr @${set} update @${set} { ip saddr } meta l4proto tcp dnat to 10.244.0.1:8080`);
  assert.equal(rules[2], `numgen random mod 2 == 0 update @${set} { ip saddr } meta l4proto tcp dnat to 10.244.0.1:8080`);
});

test('nodePortAddresses restrict NodePorts to local addresses in those CIDRs', () => {
  const all = setupCommands({}).join('\n');
  assert.match(all, /services fib daddr type local ip daddr != 127\.0\.0\.0\/8 meta l4proto \. th dport vmap @service-nodeports/);
  const some = setupCommands({ nodePortAddresses: ['192.168.0.0/16'] }).join('\n');
  assert.match(some, /services fib daddr type local ip daddr \{ 192\.168\.0\.0\/16 \} meta l4proto/);
});

test('a partial sync writes only element diffs for plain Services; a removed one\'s elements go; endpoints-N chains appear once needed', () => {
  const builder = new ServicePortBuilder('node-a');
  const renderer = new NftRenderer({ clusterCIDR: '10.244.0.0/16' });
  const services = [svc('a', '10.96.0.1'), svc('b', '10.96.0.2'), svc('c', '10.96.0.3')];
  const slices = [slice('a', ['10.244.0.1']), slice('b', ['10.244.0.2']), slice('c', ['10.244.0.3'])];
  const first = planSync(undefined, renderer.render(builder.build(services, slices)), none, setupCommands({}));
  assert.match(first.text, /^add table ip kube-proxy/);
  assert.equal(first.written, 1);
  assert.match(first.text, /\nadd chain ip kube-proxy endpoints-1\n/);
  first.commit();

  // b moves to another endpoint; c goes away; a is untouched: no rule changes at all
  const next = planSync(first.state, renderer.render(builder.build(services.slice(0, 2), [slices[0], slice('b', ['10.244.0.9'])])), none, []);
  assert.equal(next.written, 0);
  assert.deepEqual(next.stale, []);
  const lines = next.text.trim().split('\n');
  assert.ok(!next.text.includes('chain'), next.text);
  assert.ok(!next.text.includes('10.244.0.1 '), next.text);
  assert.ok(lines.includes('delete element ip kube-proxy cluster-ips { 10.96.0.3 }'));
  assert.ok(lines.includes('delete element ip kube-proxy hairpin-endpoints { 10.244.0.2 . 10.244.0.2, 10.244.0.3 . 10.244.0.3 }'));
  assert.ok(lines.includes('add element ip kube-proxy hairpin-endpoints { 10.244.0.9 . 10.244.0.9 }'));
  assert.ok(lines.includes('delete element ip kube-proxy service-ips { 10.96.0.3 . tcp . 80 }'));
  assert.ok(lines.includes('delete element ip kube-proxy service-endpoints { 10.96.0.2 . tcp . 80 . 0, 10.96.0.3 . tcp . 80 . 0 }'));
  assert.ok(lines.includes('add element ip kube-proxy service-endpoints { 10.96.0.2 . tcp . 80 . 0 : 10.244.0.9 . 8080 }'));
  next.commit();
  // nothing changed: nothing to write
  assert.equal(planSync(next.state, renderer.render(builder.build(services.slice(0, 2), [slices[0], slice('b', ['10.244.0.9'])])), none, []).text, '');

  // b grows to two endpoints: endpoints-2 is written before the element that goes to it
  const two = planSync(next.state, renderer.render(builder.build(services.slice(0, 2), [slices[0], slice('b', ['10.244.0.9', '10.244.0.8'])])), none, []);
  const tl = two.text.trim().split('\n');
  assert.ok(tl.indexOf('add chain ip kube-proxy endpoints-2') >= 0, two.text);
  assert.ok(tl.indexOf('add chain ip kube-proxy endpoints-2') < tl.indexOf('add element ip kube-proxy service-ips { 10.96.0.2 . tcp . 80 : goto endpoints-2 }'), two.text);
  two.commit();

  // a Service that gets a NodePort with externalTrafficPolicy Local moves to chains of its own; back to plain, they go stale
  const np = svc('a', '10.96.0.1', { ...nodePort, externalTrafficPolicy: 'Local' });
  const own = planSync(two.state, renderer.render(builder.build([np, services[1]], [slices[0], slice('b', ['10.244.0.9', '10.244.0.8'])])), none, []);
  const a = `service-${hashAndTruncate('dev/a/tcp/http')}`;
  assert.match(own.text, new RegExp(`add element ip kube-proxy service-ips \\{ 10\\.96\\.0\\.1 \\. tcp \\. 80 : goto ${a.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\}`));
  assert.ok(own.text.includes('delete element ip kube-proxy service-endpoints { 10.96.0.1 . tcp . 80 . 0 }'), own.text);
  own.commit();
  const back = planSync(own.state, renderer.render(builder.build(services.slice(0, 2), [slices[0], slice('b', ['10.244.0.9', '10.244.0.8'])])), none, []);
  assert.deepEqual(back.stale, [a, `local-${hashAndTruncate('dev/a/tcp/http')}`, `external-${hashAndTruncate('dev/a/tcp/http')}`]);
});

test('shared elements are reference-counted: an endpoint behind two Services stays while one remains', () => {
  const renderer = new NftRenderer({});
  const two = buildServicePorts([svc('a', '10.96.0.1'), svc('b', '10.96.0.2')], [slice('a', ['10.244.0.1']), slice('b', ['10.244.0.1'])], 'node-a');
  const first = planSync(undefined, renderer.render(two), none, []);
  first.commit();
  const next = planSync(first.state, renderer.render(two.slice(0, 1)), none, []);
  assert.doesNotMatch(next.text, /hairpin-endpoints/);
});

test('a full sync after a restart flushes chains it finds, deletes chains and affinity sets nobody needs', () => {
  const ports = buildServicePorts([svc('a', '10.96.0.1', { ...nodePort, externalTrafficPolicy: 'Local' })], [slice('a', ['10.244.0.1'])], 'node-a');
  const a = `service-${hashAndTruncate('dev/a/tcp/http')}`;
  const old = `service-${hashAndTruncate('dev/old/tcp/http')}`;
  const oldSet = `affinity-${hashAndTruncate('dev/old/tcp/http__10.244.0.5/80')}`;
  const plan = planSync(undefined, new NftRenderer({}).render(ports), { chains: new Set([a, old, 'endpoints-7']), affinity: new Map([[oldSet, 10800]]) }, setupCommands({}));
  const lines = plan.text.trim().split('\n');
  assert.ok(lines.includes(`flush chain ip kube-proxy ${a}`));
  assert.ok(!lines.includes(`add chain ip kube-proxy ${a}`));
  assert.ok(lines.includes(`flush chain ip kube-proxy ${old}`));
  assert.ok(lines.includes(`delete set ip kube-proxy ${oldSet}`));
  assert.ok(lines.includes('flush map ip kube-proxy service-ips'));
  assert.deepEqual(plan.stale, [old, 'endpoints-7']);
});

test('conntrack: entries NATed to a removed endpoint, or not NATed to a Service that now has endpoints, are stale', () => {
  const text = [
    'udp      17 28 src=10.244.0.13 dst=10.96.0.50 sport=40000 dport=53 src=10.244.0.10 dst=10.244.0.13 sport=8053 dport=40000 [ASSURED] mark=0 use=1',
    'udp      17 28 src=10.244.0.13 dst=10.96.0.50 sport=40001 dport=53 src=10.244.0.11 dst=10.244.0.13 sport=8053 dport=40001 mark=0 use=1',
    'udp      17 28 src=10.244.0.13 dst=10.96.0.51 sport=40002 dport=53 src=10.96.0.51 dst=10.244.0.13 sport=53 dport=40002 [UNREPLIED] mark=0 use=1',
    'udp      17 28 src=192.168.1.2 dst=192.168.1.1 sport=5000 dport=30053 src=10.244.0.10 dst=192.168.1.2 sport=8053 dport=5000 mark=0 use=1',
    'udp      17 28 src=10.244.0.13 dst=8.8.8.8 sport=40003 dport=53 src=8.8.8.8 dst=10.244.0.13 sport=53 dport=40003 mark=0 use=1',
    'tcp      6 431999 ESTABLISHED src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1 [ASSURED] mark=0 use=1',
  ].join('\n');
  const entries = parseConntrack(text);
  assert.equal(entries.length, 5);
  const udp = (name: string, ip: string): Service => svc(name, ip, { type: 'NodePort', ports: [{ name: 'http', port: 53, protocol: 'UDP', nodePort: name === 'dns' ? 30053 : 30054 }] });
  const ports = buildServicePorts([udp('dns', '10.96.0.50'), udp('late', '10.96.0.51')],
    [slice('dns', ['10.244.0.11'], { proto: 'UDP' }), { ...slice('late', ['10.244.0.12'], { proto: 'UDP' }) }], 'node-a')
    .map((p) => ({ ...p, endpoints: p.endpoints.map((e) => ({ ...e, port: 8053 })) }));
  assert.deepEqual(staleUdpEntries(entries, ports), [
    { origDst: '10.96.0.50', dport: 53, replySrc: '10.244.0.10' },
    { origDst: '10.96.0.51', dport: 53, replySrc: '10.96.0.51' },
    { origDst: '192.168.1.1', dport: 30053, replySrc: '10.244.0.10' },
  ]);
});
