// The registry's no-op check: equal as JSON (key order and undefined members aside), apart from
// the top level's metadata.resourceVersion and managedFields entries' times; any other
// difference, at any depth, is a change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameContent } from '../../src/apiserver/registry/same-content.js';

const pod = () => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'a', namespace: 'dev', resourceVersion: '5', labels: { app: 'web' },
    managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }] },
  spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }], nodeName: undefined as string | undefined },
  status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False', lastProbeTime: null }] },
});

test('no-op writes: resourceVersion, managedFields times, key order and undefined members do not count', () => {
  const a = pod();
  assert.equal(sameContent(a, pod()), true);
  const b = pod();
  b.metadata.resourceVersion = '9';
  b.metadata.managedFields[0].time = '2026-02-02T00:00:00Z';
  assert.equal(sameContent(a, b), true);
  const reordered = { status: a.status, spec: { nodeName: undefined, containers: a.spec.containers }, metadata: { ...a.metadata }, kind: 'Pod', apiVersion: 'v1' };
  delete (reordered.metadata as { resourceVersion?: string }).resourceVersion;
  assert.equal(sameContent(a, reordered), true);
  assert.equal(sameContent(reordered, a), true);
});

test('any other difference is a change, at any depth and in either direction', () => {
  const changes: Array<(p: ReturnType<typeof pod>) => void> = [
    (p) => { p.spec.containers[0].ports[0].containerPort = 81; },
    (p) => { p.spec.nodeName = 'n1'; },
    (p) => { p.status.conditions[0].lastProbeTime = 'x' as unknown as null; },
    (p) => { p.status.conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null }); },
    (p) => { p.metadata.labels = {} as { app: string }; },
    (p) => { p.metadata.managedFields[0].manager = 'other'; },
    (p) => { (p.metadata as Record<string, unknown>).generation = 2; },
    // time counts outside managedFields entries (no fieldsType beside it)
    (p) => { (p.status as Record<string, unknown>).time = 'now'; },
    (p) => { (p.spec.containers[0] as Record<string, unknown>).args = []; },
    (p) => { (p.spec as Record<string, unknown>).containers = { 0: p.spec.containers[0] }; },
    (p) => { (p as Record<string, unknown>).resourceVersion = '5'; },
  ];
  for (const [i, change] of changes.entries()) {
    const b = pod();
    change(b);
    assert.equal(sameContent(pod(), b), false, `change ${i}`);
    assert.equal(sameContent(b, pod()), false, `change ${i} reversed`);
  }
});

test('array elements: undefined is null, as JSON writes it', () => {
  assert.equal(sameContent({ kind: 'X', spec: { a: [undefined, 1] } }, { kind: 'X', spec: { a: [null, 1] } }), true);
  assert.equal(sameContent({ kind: 'X', spec: { a: [0] } }, { kind: 'X', spec: { a: [null] } }), false);
});
