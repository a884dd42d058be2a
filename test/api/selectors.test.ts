import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LabelSelector, isDNS1123Label, isQualifiedName, isValidLabelValue, labelSelectorFromSpec, objectFieldSet,
  parseFieldSelector, parseLabelSelector,
} from '../../src/api/selectors/index.js';
import { ApiError } from '../../src/api/status/index.js';

function badRequest(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, 'ApiError');
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('documented label selector examples match as the Kubernetes docs describe', () => {
  const prodFront = { environment: 'production', tier: 'frontend' };
  const qaBack = { environment: 'qa', tier: 'backend', partition: 'p1' };
  const dev = { environment: 'dev' };
  const sel = (s: string): boolean[] => [prodFront, qaBack, dev].map((l) => parseLabelSelector(s).matches(l));
  assert.deepEqual(sel('environment = production'), [true, false, false]);
  assert.deepEqual(sel('tier != frontend'), [false, true, true]);
  assert.deepEqual(sel('environment in (production, qa)'), [true, true, false]);
  assert.deepEqual(sel('tier notin (frontend, backend)'), [false, false, true]);
  assert.deepEqual(sel('partition'), [false, true, false]);
  assert.deepEqual(sel('!partition'), [true, false, true]);
  assert.deepEqual(sel('environment=production,tier!=frontend'), [false, false, false]);
  assert.deepEqual(sel('environment==qa,partition'), [false, true, false]);
  assert.deepEqual(sel(''), [true, true, true]);
});

test('selectors print in upstream canonical form, sorted by key', () => {
  assert.equal(parseLabelSelector('z=1,a==2, m!=x').toString(), 'a==2,m!=x,z=1');
  assert.equal(parseLabelSelector('env in (qa,prod,qa)').toString(), 'env in (prod,qa)');
  assert.equal(parseLabelSelector('!b,a').toString(), 'a,!b');
  assert.equal(parseLabelSelector('x notin (a)').toString(), 'x notin (a)');
  assert.equal(parseLabelSelector('x=').toString(), 'x=');
  assert.equal(parseLabelSelector('x in ()').toString(), 'x in ()');
  assert.equal(parseLabelSelector('n>5').toString(), 'n>5');
  assert.equal(parseLabelSelector('example.com/app=web').toString(), 'example.com/app=web');
  // in/notin are plain values in value position
  assert.equal(parseLabelSelector('x in (in,notin)').toString(), 'x in (in,notin)');
});

test('empty values and numeric comparison', () => {
  assert.equal(parseLabelSelector('x=').matches({ x: '' }), true);
  assert.equal(parseLabelSelector('x=').matches({}), false);
  assert.equal(parseLabelSelector('x in (,a)').matches({ x: '' }), true);
  assert.equal(parseLabelSelector('n>5').matches({ n: '10' }), true);
  assert.equal(parseLabelSelector('n>5').matches({ n: '5' }), false);
  assert.equal(parseLabelSelector('n<5').matches({ n: 'abc' }), false);
  assert.equal(parseLabelSelector('n<5').matches({}), false);
  assert.equal(parseLabelSelector('a=b').requiresExactMatch('a'), 'b');
  assert.equal(parseLabelSelector('a!=b').requiresExactMatch('a'), undefined);
});

test('parse errors carry upstream messages as 400 BadRequest', () => {
  badRequest(() => parseLabelSelector('x y'), "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt");
  badRequest(() => parseLabelSelector('x in a'), "unable to parse requirement: found 'a' expected: '('");
  badRequest(() => parseLabelSelector('x in (a'), "unable to parse requirement: found '', expected: ',' or ')'");
  badRequest(() => parseLabelSelector('x=a,'), "found '', expected: identifier after ','");
  badRequest(() => parseLabelSelector('x=a b'), "found 'b', expected: ',' or 'end of string'");
  badRequest(() => parseLabelSelector(',x'), "found ',', expected: !, identifier, or 'end of string'");
  badRequest(() => parseLabelSelector('x=(a)'), "unable to parse requirement: found '(', expected: identifier");
  badRequest(() => parseLabelSelector('n>abc'),
    `unable to parse requirement: values[0]: Invalid value: "abc": for 'Gt', 'Lt' operators, the value must be an integer`);
  badRequest(() => parseLabelSelector('app-=x'),
    "unable to parse requirement: <nil>: Invalid value: \"app-\": name part must consist of alphanumeric characters, '-', '_' or '.', "
    + "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
    + "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  badRequest(() => parseLabelSelector('app=-bad'),
    /^unable to parse requirement: values\[0\]\[app\]: Invalid value: "-bad": a valid label must be an empty string/);
});

test('a bare key parses as exists', () => {
  assert.deepEqual(parseLabelSelector('x').requirements, [{ key: 'x', operator: 'exists', values: [] }]);
});

test('metav1.LabelSelector conversion', () => {
  const s = labelSelectorFromSpec({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['cache', 'frontend'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
      { key: 'owner', operator: 'Exists' },
    ],
  });
  assert.equal(s.toString(), 'app=web,!canary,env notin (dev),owner,tier in (cache,frontend)');
  assert.equal(s.matches({ app: 'web', tier: 'cache', owner: 'x' }), true);
  assert.equal(s.matches({ app: 'web', tier: 'cache', owner: 'x', canary: '1' }), false);
  assert.equal(s.matches({ app: 'web', tier: 'db', owner: 'x' }), false);
  assert.equal(labelSelectorFromSpec({}).matches({ a: 'b' }), true);
  assert.equal(labelSelectorFromSpec(undefined).matches({ a: 'b' }), false);
  assert.equal(labelSelectorFromSpec(null).isEmpty(), false);
  assert.equal(LabelSelector.everything().isEmpty(), true);
  badRequest(() => labelSelectorFromSpec({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), '"Foo" is not a valid label selector operator');
  badRequest(() => labelSelectorFromSpec({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
});

test('field selectors: operators, escaping, supported fields', () => {
  const pod = { metadata: { name: 'p', namespace: 'dev' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  const fields = objectFieldSet(pod, ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase']);
  const supported = ['spec.nodeName', 'status.phase'];
  assert.equal(parseFieldSelector('spec.nodeName=n1', supported).matches(fields), true);
  assert.equal(parseFieldSelector('spec.nodeName==n2', supported).matches(fields), false);
  assert.equal(parseFieldSelector('status.phase!=Running,metadata.name=p', supported).matches(fields), false);
  assert.equal(parseFieldSelector('status.phase!=Pending,metadata.namespace=dev', supported).matches(fields), true);
  assert.equal(parseFieldSelector('spec.nodeName=', supported).matches(objectFieldSet({}, ['spec.nodeName'])), true);
  const s = parseFieldSelector('status.phase!=Failed,spec.nodeName=n1', supported);
  assert.equal(s.toString(), 'spec.nodeName=n1,status.phase!=Failed');
  assert.equal(s.requiresExactMatch('spec.nodeName'), 'n1');
  assert.equal(parseFieldSelector('metadata.name=a\\,b').terms[0].value, 'a,b');
  assert.equal(parseFieldSelector('metadata.name=a\\,b').toString(), 'metadata.name=a\\,b');
  assert.equal(parseFieldSelector('').isEmpty(), true);
  badRequest(() => parseFieldSelector('spec.foo=x', supported), 'field label not supported: spec.foo');
  badRequest(() => parseFieldSelector('spec.nodeName', supported), "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'");
  badRequest(() => parseFieldSelector('metadata.name=a=b'), 'invalid field selector: unescaped character in value: 61');
  badRequest(() => parseFieldSelector('metadata.name=a\\x'), 'invalid field selector: invalid escape sequence: \\x');
});

test('name validators', () => {
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.equal(isQualifiedName('a/b/c').length, 1);
  assert.deepEqual(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 characters']);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('My_Name'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

test('label selectors: keys that name members of every object match only real labels', () => {
  for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
    assert.equal(parseLabelSelector(`${key}=x`).matches({}), false, `${key}=x on no labels`);
    assert.equal(parseLabelSelector(`${key} in (x,y)`).matches({ app: 'web' }), false, `${key} in (x,y)`);
    assert.equal(parseLabelSelector(`${key}!=x`).matches({}), true, `${key}!=x`);
    assert.equal(parseLabelSelector(`!${key}`).matches({}), true, `!${key}`);
    assert.equal(parseLabelSelector(`${key}=x`).matches({ [key]: 'x' }), true, `${key}=x with the label`);
    assert.equal(parseLabelSelector(`${key} in (x,y)`).matches({ [key]: 'y' }), true);
  }
  assert.equal(parseLabelSelector('app==web').matches({ app: 'web' }), true);
  assert.equal(parseLabelSelector('app in (db,web)').matches({ app: 'web' }), true);
  assert.equal(parseLabelSelector('app in (db,web)').matches({ app: 'cache' }), false);
});

test('metav1.LabelSelector: an operator named like an object member is refused', () => {
  badRequest(() => labelSelectorFromSpec({ matchExpressions: [{ key: 'app', operator: 'constructor', values: ['x'] }] }), /"constructor" is not a valid label selector operator/);
});
