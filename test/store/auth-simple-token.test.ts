// Simple tokens expire after their TTL unless used; each use renews it (etcd's 300 s default).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIMPLE_TOKEN_TTL_MS, SimpleTokens } from '../../src/store/auth/simple-token.js';

test('a token lives for the TTL after its last use, then is gone', () => {
  assert.equal(SIMPLE_TOKEN_TTL_MS, 300_000);
  let now = 1_000;
  const tokens = new SimpleTokens(100, () => now);
  const t = tokens.assign('alice');
  now += 99;
  assert.equal(tokens.user(t), 'alice'); // renews to now + 100
  now += 99;
  assert.equal(tokens.user(t), 'alice');
  now += 100;
  assert.equal(tokens.user(t), undefined);
  assert.equal(tokens.user(t), undefined);
});

test('tokens are distinct, per user, and expired ones are swept when new ones are made', () => {
  let now = 0;
  const tokens = new SimpleTokens(100, () => now);
  const a1 = tokens.assign('alice');
  const a2 = tokens.assign('alice');
  const r = tokens.assign('root');
  assert.notEqual(a1, a2);
  tokens.invalidateUser('alice');
  assert.equal(tokens.user(a1), undefined);
  assert.equal(tokens.user(a2), undefined);
  assert.equal(tokens.user(r), 'root');
  now += 500;
  tokens.assign('bob');
  assert.equal(tokens.size, 1);
});
