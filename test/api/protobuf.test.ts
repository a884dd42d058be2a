// Kubernetes protobuf bodies: envelope bytes, round trips through every special type,
// Go's zero-value rules, errors, and Go time/duration text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { MAGIC, decodeProtobuf, decodeProtobufBody, encodeProtobuf, unwrap, wrap } from '../../src/api/protobuf/index.js';
import { formatDuration, formatMicroTime, parseDuration, parseTime } from '../../src/api/protobuf/go-time.js';
import { ApiError } from '../../src/api/status/index.js';

const roundTrip = (obj: Record<string, any>) => decodeProtobuf(encodeProtobuf(obj));

describe('protobuf envelope', () => {
  it('frames an object as k8s\\0 + runtime.Unknown and reads it back', () => {
    const body = wrap('v1', 'Namespace', Buffer.from([0x0a, 0x05, 0x0a, 0x03, 0x64, 0x65, 0x76]));
    assert.deepEqual([...body.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
    // Unknown.typeMeta (1) = {apiVersion (1) "v1", kind (2) "Namespace"}, raw (2), then empty strings 3 and 4.
    assert.equal(body.subarray(4, 6).toString('hex'), '0a0f');
    const env = unwrap(body);
    assert.equal(env.apiVersion, 'v1');
    assert.equal(env.kind, 'Namespace');
    assert.deepEqual(decodeProtobuf(body), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
  });

  it('decodes a hand-written Go-style body: every non-pointer field on the wire, zeros dropped, pointers kept', () => {
    const w = protobuf.Writer.create();
    // ObjectMeta (1): name "a", generateName "", creationTimestamp {} (Go's zero time)
    const meta = protobuf.Writer.create().uint32(0x0a).string('a').uint32(0x12).string('').uint32(0x42).bytes(new Uint8Array()).finish();
    w.uint32(0x0a).bytes(meta);
    // DeploymentSpec (2): replicas (1, pointer) = 0, minReadySeconds (5, non-pointer) = 0, paused (7) = false
    const spec = protobuf.Writer.create().uint32(0x08).int32(0).uint32(0x28).int32(0).uint32(0x38).bool(false).finish();
    w.uint32(0x12).bytes(spec);
    const obj = decodeProtobuf(wrap('apps/v1', 'Deployment', w.finish()));
    assert.deepEqual(obj, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec: { replicas: 0 } });
  });
});

describe('protobuf ↔ JSON', () => {
  it('round-trips a Deployment with IntOrString, Quantity, inline volume and probe fields', () => {
    const d = {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, creationTimestamp: '2024-05-06T07:08:09Z', generation: 3,
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u', controller: false }] },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 0, automountServiceAccountToken: false,
            volumes: [{ name: 'cfg', configMap: { name: 'cm', items: [{ key: 'k', path: 'p', mode: 420 }], optional: true } }],
            containers: [{
              name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { cpu: '500m', memory: '1Gi' } },
              env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: 8080 } },
            }],
          },
        },
      },
      status: {},
    };
    assert.deepEqual(roundTrip(d), d);
  });

  it('round-trips Secret bytes, MicroTime, RawExtension, FieldsV1 and renamed fields', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', immutable: false, data: { a: Buffer.from('hi').toString('base64'), e: '' }, stringData: { x: 'y' } };
    assert.deepEqual(roundTrip(secret), secret);
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { holderIdentity: 'n', renewTime: '2024-01-02T03:04:05.123456Z', leaseDurationSeconds: 40 } };
    assert.deepEqual(roundTrip(lease), lease);
    const rev = {
      apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 4, data: { spec: { template: { x: [1, 'two'] } } },
      metadata: { name: 'r', managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }] },
    };
    assert.deepEqual(roundTrip(rev), rev);
    const tr = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u1' } }, status: {} };
    assert.deepEqual(roundTrip(tr), tr);
    const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec: { user: 'bob', extra: { scopes: ['a', 'b'] }, resourceAttributes: { verb: 'get', resource: 'pods' } }, status: { allowed: false } };
    assert.deepEqual(roundTrip(sar), sar);
  });

  it('reads meta/v1 DeleteOptions in any group version, keeping an explicit gracePeriodSeconds of 0', () => {
    const opts = { apiVersion: 'policy/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u' } };
    assert.deepEqual(roundTrip(opts), opts);
    const ev = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'ns' }, deleteOptions: { gracePeriodSeconds: 0 } };
    assert.deepEqual(roundTrip(ev), ev);
  });

  it('refuses what is not a registered kind or not an envelope, as 400 BadRequest', () => {
    assert.throws(() => decodeProtobufBody(Buffer.from('{"kind":"Pod"}')), (e: ApiError) => e.status.code === 400 && /expected prefix/.test(e.message));
    assert.throws(() => decodeProtobufBody(wrap('v1', 'Nope', new Uint8Array())), (e: ApiError) => e.status.code === 400 && /no kind "Nope" is registered for version "v1"/.test(e.message));
    assert.throws(() => decodeProtobufBody(Buffer.concat([MAGIC, Buffer.from([0x0a, 0x40, 0x01])])), (e: ApiError) => e.status.code === 400);
    assert.throws(() => decodeProtobufBody(wrap('v1', 'Namespace', Buffer.from([0x0a, 0x09, 0x0a]))), (e: ApiError) => e.status.code === 400 && /Namespace/.test(e.message));
    assert.throws(() => encodeProtobuf({ apiVersion: 'v1', kind: 'Secret', data: { a: 1 } }), /expected a base64 string/);
  });
});

describe('Go time and duration text', () => {
  it('formats and parses like time.Duration', () => {
    const cases: Array<[bigint, string]> = [[0n, '0s'], [1n, '1ns'], [1500n, '1.5µs'], [2_000_000n, '2ms'], [1_500_000_000n, '1.5s'],
      [90_000_000_000n, '1m30s'], [3_600_000_000_000n, '1h0m0s'], [-5_000_000_000n, '-5s'], [3_723_400_000_000n, '1h2m3.4s']];
    for (const [n, text] of cases) {
      assert.equal(formatDuration(n), text);
      assert.equal(parseDuration(text), n);
    }
    assert.equal(parseDuration('1h30m'), 5_400_000_000_000n);
    assert.throws(() => parseDuration('10'), /invalid duration/);
  });

  it('reads RFC 3339 with offsets and fractions; MicroTime prints six digits', () => {
    assert.deepEqual(parseTime('2024-01-02T03:04:05Z'), { seconds: 1704164645, nanos: 0 });
    assert.deepEqual(parseTime('2024-01-02T05:04:05.5+02:00'), { seconds: 1704164645, nanos: 500_000_000 });
    assert.equal(formatMicroTime(1704164645, 1000), '2024-01-02T03:04:05.000001Z');
    assert.throws(() => parseTime('yesterday'), /RFC3339/);
  });
});
