import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Quantity, QuantityError, canonicalQuantity, compareQuantities, milliValue, parseQuantity } from '../../src/api/quantity/index.js';

test('canonical forms as upstream prints them', () => {
  const cases: [string | number, string][] = [
    ['0', '0'], ['0m', '0'], ['0Ki', '0'], ['-0', '0'], ['0.0', '0'],
    ['1Ki', '1Ki'], ['8Ki', '8Ki'], ['7Mi', '7Mi'], ['6Gi', '6Gi'], ['5Ti', '5Ti'], ['4Pi', '4Pi'], ['3Ei', '3Ei'],
    ['5n', '5n'], ['4u', '4u'], ['3m', '3m'], ['9', '9'], ['8k', '8k'], ['50k', '50k'], ['7M', '7M'], ['6G', '6G'],
    ['5T', '5T'], ['2P', '2P'], ['1E', '1E'],
    ['1000m', '1'], ['1001m', '1001m'], ['1.5', '1500m'], ['0.5', '500m'], ['1.01', '1010m'], ['100m', '100m'],
    ['1000', '1k'], ['1500', '1500'], ['0.1m', '100u'], ['1.1n', '2n'], ['0.1n', '1n'],
    ['1.5Gi', '1536Mi'], ['0.5Gi', '512Mi'], ['1536Ki', '1536Ki'], ['1024Ki', '1Mi'], ['0.5Ki', '512'], ['1024', '1024'],
    ['1e3', '1e3'], ['1E3', '1e3'], ['12e6', '12e6'], ['1.5e3', '1500'], ['1e-3', '1e-3'], ['1e0', '1'],
    ['1.5E', '1500P'], ['+5', '5'], ['-1Ki', '-1Ki'], ['-0.5', '-500m'], ['-1.1n', '-2n'],
    [2, '2'], [0.25, '250m'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, `canonical of ${input}`);
});

test('invalid quantities carry upstream messages', () => {
  const formatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  for (const bad of ['', 'abc', '.', '1.2.3', '1 Ki', 'Ki', '--1']) {
    assert.throws(() => parseQuantity(bad), (e: unknown) => e instanceof QuantityError && e.message === formatWrong, bad);
  }
  for (const bad of ['1K', '1ki', '1e', '1Ki2', '1kk']) {
    assert.throws(() => parseQuantity(bad), (e: unknown) => e instanceof QuantityError && e.message === "unable to parse quantity's suffix", bad);
  }
});

test('compare, add and milli values', () => {
  assert.equal(compareQuantities('1', '1000m'), 0);
  assert.equal(compareQuantities('1Gi', '1G'), 1);
  assert.equal(compareQuantities('100m', '0.2'), -1);
  assert.equal(parseQuantity('100Mi').add(parseQuantity('1Gi')).toString(), '1124Mi');
  assert.equal(parseQuantity('0').add(parseQuantity('1Gi')).toString(), '1Gi', 'zero takes the other format');
  assert.equal(parseQuantity('250m').add(parseQuantity('250m')).toString(), '500m');
  assert.equal(parseQuantity('1').sub(parseQuantity('250m')).toString(), '750m');
  assert.equal(milliValue('250m'), 250);
  assert.equal(milliValue('2'), 2000);
  assert.equal(milliValue('0.1m'), 1, 'milli value rounds up');
  assert.equal(parseQuantity('1.5').value(), 2, 'value rounds up');
  assert.equal(parseQuantity('128Mi').value(), 134217728);
  assert.equal(Quantity.fromMilli(1500).toString(), '1500m');
  assert.equal(Quantity.fromValue(2048, 'BinarySI').toString(), '2Ki');
  assert.equal(JSON.stringify({ cpu: parseQuantity('1000m') }), '{"cpu":"1"}');
  assert.equal(parseQuantity('2Gi').scaledValue(6), 2148);
});
