// Auth as an operator sets it up with etcdctl: root user, a role with a prefix permission, a
// user holding the role, auth enable; then etcd's refusals and the allowed paths; auth
// disable. (test/store/auth-*.test.ts go deeper into users and roles.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { forEachTarget } from './harness/suite.js';

forEachTarget((ctx) => {
  const as = (user: string | undefined, ...args: string[]) => ctx.store.etcdctl(user ? ['--user', user, ...args] : args);

  test('set up users and roles, then enable auth', async () => {
    assert.equal(ok(await as(undefined, 'user', 'add', 'root:rootpw')), 'User root created\n');
    assert.equal(ok(await as(undefined, 'role', 'add', 'app')), 'Role app created\n');
    assert.equal(ok(await as(undefined, 'role', 'grant-permission', 'app', 'readwrite', 'au/', '--prefix=true')), 'Role app updated\n');
    assert.equal(ok(await as(undefined, 'user', 'add', 'alice:alicepw')), 'User alice created\n');
    assert.equal(ok(await as(undefined, 'user', 'grant-role', 'alice', 'app')), 'Role app is granted to user alice\n');
    assert.equal(ok(await as(undefined, 'role', 'get', 'app')), 'Role app\nKV Read:\n\t[au/, au0) (prefix au/)\nKV Write:\n\t[au/, au0) (prefix au/)\n');
    assert.equal(ok(await as(undefined, 'auth', 'enable')), 'Authentication Enabled\n');
  });

  test('unauthenticated, wrong-password and unauthorised requests are refused', async () => {
    assert.equal(errorLine(await as(undefined, 'put', 'au/x', '1')), 'Error: etcdserver: user name is empty');
    assert.equal(errorLine(await as('alice:wrong', 'get', 'au/x')), 'Error: etcdserver: authentication failed, invalid user ID or password');
    assert.equal(errorLine(await as('alice:alicepw', 'put', 'other', '1')), 'Error: etcdserver: permission denied');
    assert.equal(errorLine(await as('alice:alicepw', 'get', 'other')), 'Error: etcdserver: permission denied');
    assert.equal(errorLine(await as('alice:alicepw', 'user', 'list')), 'Error: etcdserver: permission denied');
    await assert.rejects(ctx.store.client().kv.range({ key: Buffer.from('au/x') }), { message: '3 INVALID_ARGUMENT: etcdserver: user name is empty' });
  });

  test('authorised requests work, for the user and for root', async () => {
    assert.equal(ok(await as('alice:alicepw', 'put', 'au/x', '1')), 'OK\n');
    assert.equal(ok(await as('alice:alicepw', 'get', 'au/x')), 'au/x\n1\n');
    assert.equal(ok(await as('root:rootpw', 'put', 'other', 'r')), 'OK\n');
    const alice = ctx.store.client({ auth: { username: 'alice', password: 'alicepw' } });
    assert.equal(await alice.get('au/x').string(), '1');
    await assert.rejects(alice.put('other').value('x').exec(), { message: /permission denied/ });
  });

  test('auth disable lets anonymous requests through again', async () => {
    assert.equal(errorLine(await as('alice:alicepw', 'auth', 'disable')), 'Error: etcdserver: permission denied');
    assert.equal(ok(await as('root:rootpw', 'auth', 'disable')), 'Authentication Disabled\n');
    assert.equal(ok(await as(undefined, 'get', 'au/x', '--print-value-only')), '1\n');
    assert.equal(ok(await as(undefined, 'get', 'other', '--print-value-only')), 'r\n');
  });
});
