import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectorFromSpec } from '../../../src/scheduler/util/selector-cache.js';

test('selectorFromSpec parses a selector object once and answers as labelSelectorFromSpec does', () => {
  const spec = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] };
  const s = selectorFromSpec(spec);
  assert.equal(selectorFromSpec(spec), s, 'the same object gives the same parsed selector');
  assert.ok(s.matches({ app: 'web', tier: 'b' }));
  assert.ok(!s.matches({ app: 'web', tier: 'c' }));
  // An equal but different object (the informer's next copy) is parsed on its own.
  const copy = structuredClone(spec);
  assert.notEqual(selectorFromSpec(copy), s);
  assert.ok(selectorFromSpec(copy).matches({ app: 'web', tier: 'a' }));
  // nil selects nothing, {} everything.
  assert.ok(!selectorFromSpec(undefined).matches({ app: 'web' }));
  assert.ok(selectorFromSpec({}).matches({ app: 'web' }));
});

test('an invalid selector throws the upstream error every time it is read', () => {
  const bad = { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['x'] }] };
  for (let i = 0; i < 2; i++) assert.throws(() => selectorFromSpec(bad), /"Bogus" is not a valid label selector operator/);
  assert.throws(() => selectorFromSpec({ matchLabels: { 'bad key!': 'x' } }), /name part must consist of alphanumeric characters/);
});
