// AuthStore against a real MvccStore in a temp dir: durability across reopen, etcd's rules
// and errors, tokens, and the range-permission semantics the KV/Watch front ends rely on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, test } from 'node:test';
import { Metadata, status } from '@grpc/grpc-js';
import { AuthStore } from '../../src/store/auth/auth-store.js';
import { MvccStore } from '../../src/store/mvcc/mvcc-store.js';

const b = (s: string): Buffer => Buffer.from(s);
const FAST = { bcryptCost: 4 }; // bcrypt's minimum cost keeps the suite quick

const root = mkdtempSync(join(tmpdir(), 'auth-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

let dataDir: string;
let store: MvccStore | undefined;

beforeEach(async () => {
  dataDir = mkdtempSync(join(root, 'data-'));
  store = await MvccStore.open({ dataDir });
});
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const open = (): MvccStore => {
  if (!store) throw new Error('store not open');
  return store;
};

function md(key: string, value: string): Metadata {
  const m = new Metadata();
  m.set(key, value);
  return m;
}

/** root (with the root role) plus alice holding role "app", auth enabled */
async function setup(): Promise<AuthStore> {
  const auth = AuthStore.load(open(), FAST);
  await auth.userAdd('root', 'rootpw');
  await auth.userGrantRole('root', 'root');
  await auth.userAdd('alice', 'alicepw');
  await auth.roleAdd('app');
  await auth.userGrantRole('alice', 'app');
  await auth.enable();
  return auth;
}

const rejectsWith = (p: Promise<unknown>, code: status, message: string) => assert.rejects(p, { code, message });
const throwsWith = (fn: () => unknown, code: status, message: string) => assert.throws(fn, { code, message });

test('users, roles, permissions and the enabled flag survive closing and reopening the store', async () => {
  const auth = await setup();
  await auth.roleGrantPermission('app', { permType: 'READWRITE', key: b('/app/'), rangeEnd: b('/app0') });
  await open().close();
  store = await MvccStore.open({ dataDir });
  const again = AuthStore.load(open(), FAST);
  assert.equal(again.enabled, true);
  assert.deepEqual(again.userList(), ['alice', 'root']);
  assert.deepEqual(again.roleList(), ['app']);
  assert.deepEqual(again.userGet('alice'), ['app']);
  assert.deepEqual(again.roleGet('app'), [{ permType: 'READWRITE', key: b('/app/'), rangeEnd: b('/app0') }]);
  // passwords are stored as bcrypt hashes, never in the clear
  const stored = open().meta.list('auth/').map(([, v]) => v.toString()).join('\n');
  assert.doesNotMatch(stored, /alicepw/);
  assert.match(stored, /\$2[aby]\$04\$/);
  const token = await again.authenticate('alice', 'alicepw');
  const user = again.userFromMetadata(md('token', token));
  assert.equal(user, 'alice');
  again.checkRange(user, b('/app/x'), undefined, 'write');
  throwsWith(() => again.checkRange(user, b('/other'), undefined, 'read'), status.PERMISSION_DENIED, 'etcdserver: permission denied');
});

test('enabling needs a root user holding the root role', async () => {
  const auth = AuthStore.load(open(), FAST);
  await rejectsWith(auth.enable(), status.FAILED_PRECONDITION, 'etcdserver: root user does not exist');
  await auth.userAdd('root', 'pw');
  await rejectsWith(auth.enable(), status.FAILED_PRECONDITION, 'etcdserver: root user does not have root role');
  assert.equal(auth.enabled, false);
  await auth.userGrantRole('root', 'root'); // the root role needs no record to be granted
  await auth.enable();
  assert.equal(auth.enabled, true);
  await auth.enable(); // enabling twice is fine, as in etcd
});

test('management errors carry etcd\'s codes and messages and change nothing', async () => {
  const auth = await setup();
  const before = open().meta.list('auth/');
  await rejectsWith(auth.userAdd('alice', 'x'), status.FAILED_PRECONDITION, 'etcdserver: user name already exists');
  await rejectsWith(auth.userAdd('', 'x'), status.INVALID_ARGUMENT, 'etcdserver: user name is empty');
  await rejectsWith(auth.roleAdd('app'), status.FAILED_PRECONDITION, 'etcdserver: role name already exists');
  await rejectsWith(auth.roleAdd(''), status.INVALID_ARGUMENT, 'etcdserver: role name is empty');
  await rejectsWith(auth.userGrantRole('bob', 'app'), status.FAILED_PRECONDITION, 'etcdserver: user name not found');
  await rejectsWith(auth.userGrantRole('alice', 'nosuch'), status.FAILED_PRECONDITION, 'etcdserver: role name not found');
  await rejectsWith(auth.userRevokeRole('alice', 'root'), status.FAILED_PRECONDITION, 'etcdserver: role is not granted to the user');
  await rejectsWith(auth.roleRevokePermission('app', b('/x'), b('')), status.FAILED_PRECONDITION, 'etcdserver: permission is not granted to the role');
  await rejectsWith(auth.roleGrantPermission('nosuch', { permType: 'READ', key: b('/x'), rangeEnd: b('') }), status.FAILED_PRECONDITION, 'etcdserver: role name not found');
  await rejectsWith(auth.roleGrantPermission('app', undefined), status.INVALID_ARGUMENT, 'etcdserver: permission not given');
  await rejectsWith(auth.userDelete('root'), status.INVALID_ARGUMENT, 'etcdserver: invalid auth management');
  await rejectsWith(auth.roleDelete('root'), status.INVALID_ARGUMENT, 'etcdserver: invalid auth management');
  await rejectsWith(auth.userRevokeRole('root', 'root'), status.INVALID_ARGUMENT, 'etcdserver: invalid auth management');
  await rejectsWith(auth.userChangePassword('bob', 'x'), status.FAILED_PRECONDITION, 'etcdserver: user name not found');
  throwsWith(() => auth.userGet('bob'), status.FAILED_PRECONDITION, 'etcdserver: user name not found');
  throwsWith(() => auth.roleGet('nosuch'), status.FAILED_PRECONDITION, 'etcdserver: role name not found');
  assert.deepEqual(open().meta.list('auth/'), before);
});

test('concurrent adds of one name: exactly one wins', async () => {
  const auth = AuthStore.load(open(), FAST);
  const results = await Promise.allSettled([auth.userAdd('dup', 'a'), auth.userAdd('dup', 'b'), auth.roleAdd('r'), auth.roleAdd('r')]);
  const wins = (i: number) => results.slice(i, i + 2).filter((r) => r.status === 'fulfilled').length;
  assert.equal(wins(0), 1);
  assert.equal(wins(2), 1);
  assert.deepEqual(auth.userList(), ['dup']);
});

test('authenticate: wrong password, unknown user, no-password user, auth disabled', async () => {
  const auth = await setup();
  await auth.userAdd('nopw', '', { noPassword: true });
  const failed = 'etcdserver: authentication failed, invalid user ID or password';
  await rejectsWith(auth.authenticate('alice', 'wrong'), status.INVALID_ARGUMENT, failed);
  await rejectsWith(auth.authenticate('nobody', 'x'), status.INVALID_ARGUMENT, failed);
  await rejectsWith(auth.authenticate('nopw', 'x'), status.UNKNOWN, 'auth: authentication failed, password was given for no password user');
  await auth.disable();
  await rejectsWith(auth.authenticate('alice', 'alicepw'), status.FAILED_PRECONDITION, 'etcdserver: authentication is not enabled');
});

test('tokens: read from "token" (or "authorization"), refused when unknown, dropped on password change, delete and disable', async () => {
  const auth = await setup();
  const t1 = await auth.authenticate('alice', 'alicepw');
  assert.match(t1, /^[a-zA-Z]{16}\.\d+$/);
  assert.equal(auth.userFromMetadata(md('token', t1)), 'alice');
  assert.equal(auth.userFromMetadata(md('authorization', t1)), 'alice');
  assert.equal(auth.userFromMetadata(new Metadata()), undefined);
  throwsWith(() => auth.userFromMetadata(md('token', 'bogus.1')), status.UNAUTHENTICATED, 'etcdserver: invalid auth token');

  await auth.userChangePassword('alice', 'newpw');
  throwsWith(() => auth.userFromMetadata(md('token', t1)), status.UNAUTHENTICATED, 'etcdserver: invalid auth token');
  await rejectsWith(auth.authenticate('alice', 'alicepw'), status.INVALID_ARGUMENT, 'etcdserver: authentication failed, invalid user ID or password');
  const t2 = await auth.authenticate('alice', 'newpw');
  const rootToken = await auth.authenticate('root', 'rootpw');
  await auth.userDelete('alice');
  throwsWith(() => auth.userFromMetadata(md('token', t2)), status.UNAUTHENTICATED, 'etcdserver: invalid auth token');
  assert.equal(auth.userFromMetadata(md('token', rootToken)), 'root');

  await auth.disable();
  assert.equal(auth.userFromMetadata(md('token', rootToken)), undefined);
  await auth.enable();
  throwsWith(() => auth.userFromMetadata(md('token', rootToken)), status.UNAUTHENTICATED, 'etcdserver: invalid auth token');
});

test('range permissions: points, prefixes, from-key, unions without gaps, read vs write', async () => {
  const auth = await setup();
  const grant = (permType: 'READ' | 'WRITE' | 'READWRITE', key: string, end: string | Buffer) =>
    auth.roleGrantPermission('app', { permType, key: b(key), rangeEnd: Buffer.isBuffer(end) ? end : b(end) });
  await grant('READWRITE', '/app/', '/app0'); // --prefix /app/
  await grant('READ', '/a', '/c');
  await grant('WRITE', '/z', Buffer.from([0])); // --from-key /z
  await grant('READ', '/single', '');
  const allowed = (key: string, end: string | Buffer | undefined, perm: 'read' | 'write'): boolean => {
    try {
      auth.checkRange('alice', b(key), typeof end === 'string' ? b(end) : end, perm);
      return true;
    } catch (err) {
      assert.equal((err as Error).message, 'etcdserver: permission denied');
      return false;
    }
  };
  assert.equal(allowed('/app/x', undefined, 'write'), true);
  assert.equal(allowed('/app/x', undefined, 'read'), true);
  assert.equal(allowed('/app/', '/app0', 'write'), true);
  assert.equal(allowed('/other', undefined, 'write'), false);
  assert.equal(allowed('/single', undefined, 'read'), true);
  assert.equal(allowed('/single', undefined, 'write'), false);
  assert.equal(allowed('/single', '/single\0', 'read'), true);
  assert.equal(allowed('/single', '/singlf', 'read'), false); // wider than the one key
  // [/ap, /aq) lies inside [/a, /c); [/a, /d) runs past it
  assert.equal(allowed('/ap', '/aq', 'read'), true);
  assert.equal(allowed('/a', '/c', 'read'), true);
  assert.equal(allowed('/a', '/d', 'read'), false);
  assert.equal(allowed('/app/', '/app0', 'write'), true);
  assert.equal(allowed('/a', '/c', 'write'), false);
  // from-key write: any key and any range from /z on, including "to the end" ("\0")
  assert.equal(allowed('/zzz', undefined, 'write'), true);
  assert.equal(allowed('/z', Buffer.from([0]), 'write'), true);
  assert.equal(allowed('/y', Buffer.from([0]), 'write'), false);
  assert.equal(allowed('/zzz', undefined, 'read'), false);
  // touching intervals join: [/c, /e) added makes [/b, /d) readable across the seam
  assert.equal(allowed('/b', '/d', 'read'), false);
  await grant('READ', '/c', '/e');
  assert.equal(allowed('/b', '/d', 'read'), true);
  // a gap inside the request refuses it
  await grant('READ', '/f', '/g');
  assert.equal(allowed('/b', '/g', 'read'), false);
  // revoking takes effect at once
  await auth.roleRevokePermission('app', b('/a'), b('/c'));
  assert.equal(allowed('/ap', '/aq', 'read'), false);
});

test('root role passes every check; no user, unknown user and disabled auth behave as in etcd', async () => {
  const auth = await setup();
  auth.checkRange('root', b('anything'), Buffer.from([0]), 'write');
  throwsWith(() => auth.checkRange(undefined, b('k'), undefined, 'read'), status.INVALID_ARGUMENT, 'etcdserver: user name is empty');
  throwsWith(() => auth.checkRange('ghost', b('k'), undefined, 'read'), status.PERMISSION_DENIED, 'etcdserver: permission denied');
  assert.equal(auth.isAdmin('root'), true);
  assert.equal(auth.isAdmin('alice'), false);
  assert.equal(auth.isAdmin(undefined), false);
  throwsWith(() => auth.checkAdmin('alice'), status.PERMISSION_DENIED, 'etcdserver: permission denied');
  throwsWith(() => auth.checkAdmin(undefined), status.INVALID_ARGUMENT, 'etcdserver: user name is empty');
  throwsWith(() => auth.checkMaintenanceAdmin('alice'), status.UNKNOWN, 'auth: permission denied');
  throwsWith(() => auth.checkMaintenanceAdmin(undefined), status.UNKNOWN, 'auth: user name is empty');
  auth.checkMaintenanceAdmin('root');
  await auth.userGrantRole('alice', 'root');
  auth.checkRange('alice', b('k'), undefined, 'write');
  assert.equal(auth.isAdmin('alice'), true);
  await auth.disable();
  auth.checkRange(undefined, b('k'), undefined, 'write');
  auth.checkAdmin(undefined);
  assert.equal(auth.isAdmin(undefined), true);
});

test('deleting a role takes it from every user; grants are sorted and idempotent', async () => {
  const auth = await setup();
  await auth.roleAdd('zed');
  await auth.roleAdd('abc');
  await auth.userGrantRole('alice', 'zed');
  await auth.userGrantRole('alice', 'abc');
  await auth.userGrantRole('alice', 'abc');
  assert.deepEqual(auth.userGet('alice'), ['abc', 'app', 'zed']);
  await auth.roleDelete('zed');
  assert.deepEqual(auth.userGet('alice'), ['abc', 'app']);
  assert.deepEqual(auth.roleList(), ['abc', 'app']);
  assert.deepEqual(AuthStore.load(open(), FAST).userGet('alice'), ['abc', 'app']);
});
