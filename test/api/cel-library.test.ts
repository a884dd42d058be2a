// Kubernetes' CEL libraries and the `authorizer` variable on cel-js (pure logic; the API
// server tests in test/security/admission-policy.test.ts use them through real policies).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileError, run } from '../../src/api/cel/cel-environment.js';
import { Authorizer, AuthzSession, type AuthzQuery } from '../../src/api/cel/authorizer-library.js';

describe('CEL libraries', () => {
  const asked: AuthzQuery[] = [];
  const session = new AuthzSession(async (q) => {
    asked.push(q);
    return { decision: q.resource === 'pods' && q.verb === 'get' ? 'allow' : 'deny', reason: `asked for ${q.user}` };
  });
  const ctx = { object: { spec: { l: [1n, 2n, 3n] } }, authorizer: new Authorizer(session, 'jane', { group: 'apps', resource: 'deployments', subresource: '', namespace: 'ns', name: 'd' }) };
  const cases: Array<[string, unknown]> = [
    ['quantity("1Gi").isGreaterThan(quantity("1000M"))', true],
    ['quantity("1.5").isInteger()', false],
    ['quantity("2").add(3).asInteger()', 5n],
    ['quantity("500m") == quantity("0.5")', true],
    ['quantity("-1").sign()', -1n],
    ['isQuantity("1Zi")', false],
    ['url("https://a.b:8443/x?y=1").getPort()', '8443'],
    ['url("https://a.b/x?y=1&y=2").getQuery()["y"]', ['1', '2']],
    ['url("/just/a/path").getEscapedPath()', '/just/a/path'],
    ['isURL("nope")', false],
    ['cidr("10.0.0.0/8").containsIP("10.1.2.3")', true],
    ['cidr("10.0.0.0/8").containsCIDR("10.1.0.0/16")', true],
    ['cidr("10.0.0.0/16").containsCIDR("10.0.0.0/8")', false],
    ['cidr("192.168.1.5/24").masked().ip() == ip("192.168.1.0")', true],
    ['cidr("2001:db8::/32").containsIP(ip("2001:db8:1::1"))', true],
    ['ip("::1").isLoopback() && ip("fe80::1").isLinkLocalUnicast() && ip("fe80::1").family() == 6', true],
    ['ip("8.8.8.8").isGlobalUnicast() && !ip("127.0.0.1").isGlobalUnicast()', true],
    ['isIP("1.2.3.04")', false],
    ['isCIDR("10.0.0.0/33")', false],
    ['object.spec.l.isSorted() && object.spec.l.sum() == 6 && object.spec.l.min() == 1 && object.spec.l.max() == 3', true],
    ['object.spec.l.indexOf(2) == 1 && [1, 2, 1].lastIndexOf(1) == 2 && [3, 1].isSorted() == false', true],
    ['"abc123def".find("[0-9]+")', '123'],
    ['"a1b22".findAll("[0-9]+")', ['1', '22']],
    ['"a1b22c3".findAll("[0-9]+", 2)', ['1', '22']],
    ['sets.contains([1, 2, 3], [2]) && sets.intersects([1], [1, 5]) && sets.equivalent([1, 2], [2, 1])', true],
    ['"hello".replace("l", "L", 1) + "hello".replace("l", "L")', 'heLloheLLo'],
    ['"abc".charAt(1) + "abc".reverse()', 'bcba'],
    ['authorizer.group("").resource("pods").check("get").allowed()', true],
    ['authorizer.group("").resource("pods").check("delete").allowed()', false],
    ['authorizer.requestResource.check("get").reason()', 'asked for jane'],
    ['authorizer.serviceAccount("ns", "sa").group("").resource("pods").check("get").reason()', 'asked for system:serviceaccount:ns:sa'],
    ['authorizer.path("/healthz").check("get").errored()', false],
  ];
  for (const [expr, want] of cases) it(expr, async () => assert.deepEqual(await run(expr, ctx), want));

  it('asks the authorizer what the expression names', () => {
    assert.deepEqual(asked.find((q) => q.verb === 'delete'), { user: 'jane', group: '', resource: 'pods', subresource: '', namespace: '', name: '', verb: 'delete' });
    assert.ok(asked.some((q) => q.resource === 'deployments' && q.namespace === 'ns' && q.name === 'd' && q.group === 'apps'));
    assert.ok(asked.some((q) => q.path === '/healthz'));
  });

  it('errors: bad values at evaluation, wrong argument types and result types at compile', async () => {
    await assert.rejects(run('quantity("12 apples")', ctx));
    await assert.rejects(run('ip("1.2.3")', ctx), /parse error/);
    await assert.rejects(run('[].min()', ctx), /empty list/);
    assert.match(compileError('quantity(1)') ?? '', /no matching overload for 'quantity\(int\)'/);
    assert.match(compileError('"a" + "b"', 'bool') ?? '', /must evaluate to a bool, got string/);
    assert.equal(compileError('object.spec.replicas <= 5', 'bool'), undefined);
  });
});
