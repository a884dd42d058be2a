// LimitRanger and ResourceQuota with the real kubectl, as upstream: container defaults (and the
// kubernetes.io/limit-ranger annotation), min/max/maxLimitRequestRatio per Container and per
// Pod, claim storage bounds on create and on growth; quota charged on updates (a Service
// turned NodePort, a claim that grows), quota scopes and scopeSelector, and the explicit
// requests a cpu/memory quota demands.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSecureCluster, type SecureCluster } from './harness.js';

const json = (o: unknown) => JSON.stringify(o);
const pod = (name: string, ns: string, containers: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => json({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: 'busybox', ...c })), ...extra },
});
const res = (requests?: Record<string, string>, limits?: Record<string, string>) => ({ resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });
const claim = (name: string, ns: string, storage: string) => json({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
});

describe('LimitRanger and ResourceQuota', () => {
  let c: SecureCluster;
  const create = (doc: string) => c.kubectl(['create', '-f', '-'], doc);
  const refused = (doc: string, message: string) => {
    const r = create(doc);
    assert.notEqual(r.code, 0, `created: ${doc}`);
    assert.equal(r.stderr.trim(), `Error from server (Forbidden): error when creating "STDIN": ${message}`);
  };
  before(async () => { c = await startSecureCluster(); });
  after(async () => { await c?.stop(); });

  it('LimitRanger type Container: defaults with the annotation, min, max and maxLimitRequestRatio', () => {
    c.k('create', 'namespace', 'lr');
    assert.equal(create(json({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: 'lr' }, spec: { limits: [
      { type: 'Container', max: { cpu: '1' }, min: { cpu: '100m' }, default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '250m' }, maxLimitRequestRatio: { cpu: '2' } },
    ] } })).code, 0);
    assert.equal(create(pod('d', 'lr', [{}])).code, 0);
    const d = JSON.parse(c.k('get', 'pod', 'd', '-n', 'lr', '-o', 'json'));
    assert.deepEqual(d.spec.containers[0].resources, { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    assert.equal(d.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c0; cpu, memory limit for container c0');
    refused(pod('big', 'lr', [res({ cpu: '600m' }, { cpu: '2' })]), 'pods "big" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, cpu max limit to request ratio per Container is 2, but provided ratio is 3.333333]');
    refused(pod('small', 'lr', [res({ cpu: '50m' }, { cpu: '100m' })]), 'pods "small" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
    refused(pod('ratio', 'lr', [res({ cpu: '200m' }, { cpu: '800m' })]), 'pods "ratio" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000');
    assert.equal(create(pod('fits', 'lr', [res({ cpu: '300m' }, { cpu: '600m' })])).code, 0);
  });

  it('LimitRanger type Pod bounds the sum of the containers; type PersistentVolumeClaim bounds storage on create and growth', () => {
    c.k('create', 'namespace', 'lrp');
    assert.equal(create(json({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'pod', namespace: 'lrp' }, spec: { limits: [
      { type: 'Pod', max: { memory: '1Gi' }, min: { memory: '100Mi' } },
      { type: 'PersistentVolumeClaim', max: { storage: '5Gi' }, min: { storage: '1Gi' } },
    ] } })).code, 0);
    const two = (mem: string) => [res({ memory: mem }, { memory: mem }), res({ memory: mem }, { memory: mem })];
    refused(pod('sum', 'lrp', two('600Mi')), 'pods "sum" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi');
    refused(pod('none', 'lrp', [{}]), 'pods "none" is forbidden: [minimum memory usage per Pod is 100Mi.  No request is specified, maximum memory usage per Pod is 1Gi.  No limit is specified]');
    assert.equal(create(pod('ok', 'lrp', two('400Mi'))).code, 0);
    refused(claim('huge', 'lrp', '10Gi'), 'persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 10Gi');
    refused(claim('tiny', 'lrp', '500Mi'), 'persistentvolumeclaims "tiny" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
    assert.equal(create(claim('fine', 'lrp', '2Gi')).code, 0);
    const grow = c.kubectl(['patch', 'pvc', 'fine', '-n', 'lrp', '-p', json({ spec: { resources: { requests: { storage: '8Gi' } } } })]);
    assert.equal(grow.stderr.trim(), 'Error from server (Forbidden): persistentvolumeclaims "fine" is forbidden: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 8Gi');
    assert.equal(c.k('get', 'pvc', 'fine', '-n', 'lrp', '-o', 'jsonpath={.spec.resources.requests.storage}'), '2Gi');
  });

  it('quota is charged on updates: a Service turned NodePort or LoadBalancer, a claim that grows', () => {
    c.k('create', 'namespace', 'qu');
    c.k('create', 'quota', 'svc', '--hard=services.nodeports=2,services.loadbalancers=0,requests.storage=5Gi', '-n', 'qu');
    const used = () => JSON.parse(c.k('get', 'quota', 'svc', '-n', 'qu', '-o', 'json')).status.used;
    c.k('create', 'service', 'clusterip', 'web', '--tcp=80:80,443:443,8080:8080', '-n', 'qu');
    const np = c.kubectl(['patch', 'svc', 'web', '-n', 'qu', '-p', json({ spec: { type: 'NodePort' } })]);
    assert.equal(np.stderr.trim(), 'Error from server (Forbidden): services "web" is forbidden: exceeded quota: svc, requested: services.nodeports=3, used: services.nodeports=0, limited: services.nodeports=2');
    const lb = c.kubectl(['create', 'service', 'loadbalancer', 'lb', '--tcp=80:80', '-n', 'qu']);
    assert.equal(lb.stderr.trim(), 'error: failed to create LoadBalancer service: services "lb" is forbidden: exceeded quota: svc, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0');
    c.k('create', 'service', 'clusterip', 'one', '--tcp=80:80', '-n', 'qu');
    c.k('patch', 'svc', 'one', '-n', 'qu', '-p', json({ spec: { type: 'NodePort' } }));
    assert.equal(used()['services.nodeports'], '1');
    c.k('patch', 'svc', 'one', '-n', 'qu', '--type=json', '-p', json([{ op: 'replace', path: '/spec/type', value: 'ClusterIP' }, { op: 'remove', path: '/spec/ports/0/nodePort' }]));
    assert.equal(used()['services.nodeports'], '0', 'back to ClusterIP gives the ports back');

    assert.equal(create(claim('data', 'qu', '2Gi')).code, 0);
    c.k('patch', 'pvc', 'data', '-n', 'qu', '-p', json({ spec: { resources: { requests: { storage: '4Gi' } } } }));
    assert.equal(used()['requests.storage'], '4Gi');
    const over = c.kubectl(['patch', 'pvc', 'data', '-n', 'qu', '-p', json({ spec: { resources: { requests: { storage: '6Gi' } } } })]);
    assert.equal(over.stderr.trim(), 'Error from server (Forbidden): persistentvolumeclaims "data" is forbidden: exceeded quota: svc, requested: requests.storage=2Gi, used: requests.storage=4Gi, limited: requests.storage=5Gi');
    assert.equal(used()['requests.storage'], '4Gi');
  });

  it('quota scopes select pods: BestEffort, NotBestEffort, Terminating, PriorityClass (scopeSelector)', () => {
    c.k('create', 'namespace', 'qs');
    const quota = (name: string, spec: Record<string, unknown>) => assert.equal(create(json({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: 'qs' }, spec })).code, 0);
    quota('be', { hard: { pods: '1' }, scopes: ['BestEffort'] });
    quota('notbe', { hard: { pods: '3' }, scopes: ['NotBestEffort'] });
    quota('term', { hard: { pods: '1' }, scopes: ['Terminating'] });
    quota('high', { hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
    c.k('create', 'priorityclass', 'high', '--value=1000');
    // no quota controller runs here: a quota nothing was charged to yet has an empty status
    const used = (q: string) => JSON.parse(c.k('get', 'quota', q, '-n', 'qs', '-o', 'json')).status.used?.pods ?? '0';
    assert.equal(create(pod('be1', 'qs', [{}])).code, 0);
    refused(pod('be2', 'qs', [{}]), 'pods "be2" is forbidden: exceeded quota: be, requested: pods=1, used: pods=1, limited: pods=1');
    assert.equal(create(pod('burst1', 'qs', [res({ cpu: '100m' })])).code, 0);
    assert.equal(create(pod('job1', 'qs', [res({ cpu: '100m' })], { activeDeadlineSeconds: 60 })).code, 0);
    refused(pod('job2', 'qs', [res({ cpu: '100m' })], { activeDeadlineSeconds: 60 }), 'pods "job2" is forbidden: exceeded quota: term, requested: pods=1, used: pods=1, limited: pods=1');
    // the charge job2 made to notbe before term refused it was given back
    assert.deepEqual([used('be'), used('notbe'), used('term'), used('high')], ['1', '2', '1', '0']);
    c.k('delete', 'pod', 'burst1', '-n', 'qs');
    assert.equal(create(pod('vip1', 'qs', [res({ cpu: '100m' })], { priorityClassName: 'high' })).code, 0);
    refused(pod('vip2', 'qs', [res({ cpu: '100m' })], { priorityClassName: 'high' }), 'pods "vip2" is forbidden: exceeded quota: high, requested: pods=1, used: pods=1, limited: pods=1');
    assert.deepEqual([used('be'), used('notbe'), used('term'), used('high')], ['1', '2', '1', '1']);
  });

  it('a cpu/memory quota requires every container to state them (failed quota: must specify)', () => {
    c.k('create', 'namespace', 'qc');
    c.k('create', 'quota', 'compute', '--hard=requests.cpu=1,limits.memory=1Gi', '-n', 'qc');
    refused(pod('bare', 'qc', [res({ cpu: '100m' }), {}]), 'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: c0,c1; requests.cpu for: c1');
    assert.equal(create(pod('full', 'qc', [res({ cpu: '600m' }, { memory: '512Mi' })])).code, 0);
    refused(pod('more', 'qc', [res({ cpu: '600m' }, { memory: '512Mi' })]), 'pods "more" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
  });
});
