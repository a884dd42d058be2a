// Unit tests for the API's two timestamp encodings (pure logic), including the kept text of
// the last second formatted: a new second, or an earlier one, is never answered from it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMicroTime, formatTime, parseTime } from '../../src/client/micro-time.js';

describe('timestamps', () => {
  it('metav1.Time in whole seconds, from the kept second and from others', () => {
    assert.equal(formatTime(new Date('2024-05-01T10:00:00.123Z')), '2024-05-01T10:00:00Z');
    assert.equal(formatTime(new Date('2024-05-01T10:00:00.999Z')), '2024-05-01T10:00:00Z');
    assert.equal(formatTime(new Date('2024-05-01T10:00:01.000Z')), '2024-05-01T10:00:01Z');
    assert.equal(formatTime(new Date('2024-05-01T09:59:59.500Z')), '2024-05-01T09:59:59Z');
    assert.equal(formatTime(new Date('1969-12-31T23:59:59.500Z')), '1969-12-31T23:59:59Z');
    assert.throws(() => formatTime(new Date(NaN)), RangeError);
    assert.equal(parseTime(formatTime(new Date(1_700_000_000_400))), 1_700_000_000_000);
  });

  it('metav1.MicroTime with six fractional digits', () => {
    assert.equal(formatMicroTime(new Date('2024-05-01T10:00:00.123Z')), '2024-05-01T10:00:00.123000Z');
  });
});
