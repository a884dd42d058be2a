// v3 auth end to end with the real etcdctl 3.4 (and the etcd3 npm client): root setup,
// auth enable, users and roles, range permissions enforced on KV and Watch, wrong passwords,
// password change, restart, auth disable. Every expected output was first seen on the real
// etcd 3.4, and the same expectations run against `tskube etcd`. Tests in one block run in
// order and build on each other's users and roles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorLine, ok } from './harness/etcdctl.js';
import { forEachTarget } from './harness/suite.js';

const ROOT = ['--user', 'root:rootpw'];
const ALICE = ['--user', 'alice:alicepw'];
const DENIED = 'Error: etcdserver: permission denied';
const AUTH_FAILED = 'Error: etcdserver: authentication failed, invalid user ID or password';

forEachTarget((ctx) => {
  const ctl = (args: string[], input?: string) => ctx.store.etcdctl(args, { input, timeoutMs: 30_000 });
  const asRoot = (...args: string[]) => ctl([...ROOT, ...args]);
  const asAlice = (...args: string[]) => ctl([...ALICE, ...args]);

  test('auth enable needs a root user; etcdctl then adds the root role itself', async () => {
    assert.equal(errorLine(await ctl(['auth', 'enable'])), 'Error: etcdserver: root user does not exist');
    assert.equal(ok(await ctl(['user', 'add', 'root:rootpw'])), 'User root created\n');
    // the server answers "root user does not have root role"; etcdctl adds and grants it, retries
    assert.equal(ok(await ctl(['auth', 'enable'])), 'Authentication Enabled\n');
    assert.equal(ok(await asRoot('auth', 'enable')), 'Authentication Enabled\n');
  });

  test('with auth enabled a request without a user is refused', async () => {
    assert.equal(errorLine(await ctl(['get', 'foo'])), 'Error: etcdserver: user name is empty');
    assert.equal(errorLine(await ctl(['put', 'foo', 'bar'])), 'Error: etcdserver: user name is empty');
    assert.equal(errorLine(await ctl(['role', 'list'])), 'Error: etcdserver: user name is empty');
  });

  test('root manages users and roles with etcd\'s output and errors', async () => {
    assert.equal(ok(await asRoot('role', 'list')), 'root\n');
    assert.equal(ok(await asRoot('user', 'get', 'root')), 'User: root\nRoles: root\n');
    assert.equal(ok(await asRoot('role', 'get', 'root')), 'Role root\nKV Read:\nKV Write:\n');
    assert.equal(ok(await asRoot('role', 'add', 'app')), 'Role app created\n');
    assert.equal(errorLine(await asRoot('role', 'add', 'app')), 'Error: etcdserver: role name already exists');
    assert.equal(errorLine(await asRoot('role', 'add', '')), 'Error: etcdserver: role name is empty');
    assert.equal(ok(await asRoot('user', 'add', 'alice:alicepw')), 'User alice created\n');
    assert.equal(errorLine(await asRoot('user', 'add', 'alice:other')), 'Error: etcdserver: user name already exists');
    assert.equal(ok(await asRoot('user', 'add', 'nopw', '--no-password')), 'User nopw created\n');
    assert.equal(ok(await asRoot('user', 'get', 'nopw')), 'User: nopw\nRoles:\n');

    assert.equal(ok(await asRoot('role', 'grant-permission', '--prefix', 'app', 'readwrite', '/app/')), 'Role app updated\n');
    assert.equal(ok(await asRoot('role', 'grant-permission', 'app', 'read', '/a', '/c')), 'Role app updated\n');
    assert.equal(ok(await asRoot('role', 'grant-permission', '--from-key', 'app', 'write', '/z')), 'Role app updated\n');
    assert.equal(ok(await asRoot('role', 'grant-permission', 'app', 'read', '/single')), 'Role app updated\n');
    // granting the same key and end again changes the type instead of adding a permission
    assert.equal(ok(await asRoot('role', 'grant-permission', 'app', 'write', '/single')), 'Role app updated\n');
    assert.equal(errorLine(await asRoot('role', 'grant-permission', 'nosuch', 'read', '/x')), 'Error: etcdserver: role name not found');
    assert.equal(
      ok(await asRoot('role', 'get', 'app')),
      'Role app\nKV Read:\n\t[/a, /c)\n\t[/app/, /app0) (prefix /app/)\n' +
        'KV Write:\n\t[/app/, /app0) (prefix /app/)\n\t/single\n\t[/z, <open ended>\n',
    );
    assert.equal(ok(await asRoot('role', 'revoke-permission', 'app', '/single')), 'Permission of key /single is revoked from role app\n');
    assert.equal(errorLine(await asRoot('role', 'revoke-permission', 'app', '/single')), 'Error: etcdserver: permission is not granted to the role');

    assert.equal(ok(await asRoot('user', 'grant-role', 'alice', 'app')), 'Role app is granted to user alice\n');
    assert.equal(ok(await asRoot('user', 'grant-role', 'alice', 'app')), 'Role app is granted to user alice\n');
    assert.equal(errorLine(await asRoot('user', 'grant-role', 'alice', 'nosuch')), 'Error: etcdserver: role name not found');
    assert.equal(errorLine(await asRoot('user', 'grant-role', 'bob', 'app')), 'Error: etcdserver: user name not found');
    assert.equal(errorLine(await asRoot('user', 'revoke-role', 'alice', 'root')), 'Error: etcdserver: role is not granted to the user');
    assert.equal(errorLine(await asRoot('user', 'get', 'nosuch')), 'Error: etcdserver: user name not found');
    assert.equal(errorLine(await asRoot('role', 'get', 'nosuch')), 'Error: etcdserver: role name not found');
    assert.equal(errorLine(await asRoot('user', 'delete', 'nosuch')), 'Error: etcdserver: user name not found');
    assert.equal(errorLine(await asRoot('role', 'delete', 'nosuch')), 'Error: etcdserver: role name not found');
    assert.equal(ok(await asRoot('user', 'get', 'alice')), 'User: alice\nRoles: app\n');
    assert.equal(ok(await asRoot('user', 'list')), 'alice\nnopw\nroot\n');
    assert.equal(ok(await asRoot('role', 'list')), 'app\nroot\n');
  });

  test('a user with a readwrite prefix permission writes inside it and is denied outside', async () => {
    assert.equal(ok(await asAlice('put', '/app/x', '1')), 'OK\n');
    assert.equal(ok(await asAlice('get', '/app/x')), '/app/x\n1\n');
    assert.equal(ok(await asAlice('get', '--prefix', '/app/')), '/app/x\n1\n');
    assert.equal(errorLine(await asAlice('put', '/other', '1')), DENIED);
    assert.equal(errorLine(await asAlice('get', '/other')), DENIED);
    assert.equal(errorLine(await asAlice('del', '/other')), DENIED);
    assert.equal(errorLine(await ctl([...ALICE, 'txn'], '\nput /other 1\n\n\n')), DENIED);
    // a range is allowed when the union of the permissions covers it: [/ap, /aq) lies in [/a, /c)
    assert.equal(ok(await asAlice('get', '--prefix', '/ap')), '/app/x\n1\n');
    assert.equal(ok(await asAlice('get', '/b', '/bz')), '');
    assert.equal(errorLine(await asAlice('get', '/a', '/d')), DENIED);
    assert.equal(errorLine(await asAlice('get', '', '--from-key')), DENIED);
    // write-only from /z on
    assert.equal(ok(await asAlice('put', '/zzz', '1')), 'OK\n');
    assert.equal(errorLine(await asAlice('get', '/zzz')), DENIED);
    // asking for the previous value needs read as well
    assert.equal(errorLine(await asAlice('put', '/zzz', '2', '--prev-kv')), DENIED);
    assert.equal(errorLine(await asAlice('del', '/zzz', '--prev-kv')), DENIED);
    assert.equal(ok(await asAlice('del', '/zzz')), '1\n');
    // revoking a lease deletes its keys, so it needs write on every one of them
    const lease = /^lease ([0-9a-f]+) granted/.exec(ok(await asRoot('lease', 'grant', '300')))![1]!;
    ok(await asRoot('put', '/app/leased', 'v', `--lease=${lease}`));
    ok(await asRoot('put', '/elsewhere/leased', 'v', `--lease=${lease}`));
    assert.equal(errorLine(await asAlice('lease', 'revoke', lease)), 'Error: failed to revoke lease (etcdserver: permission denied)');
    assert.equal(ok(await asRoot('lease', 'revoke', lease)), `lease ${lease} revoked\n`);
    const watch = await asAlice('watch', '/other');
    assert.notEqual(watch.code, 0);
    assert.match(watch.stdout + watch.stderr, /watch was canceled \(rpc error: code = PermissionDenied desc = etcdserver: permission denied\)/);
  });

  test('a non-root user reads only itself and its roles, and manages nothing', async () => {
    assert.equal(ok(await asAlice('user', 'get', 'alice')), 'User: alice\nRoles: app\n');
    assert.match(ok(await asAlice('role', 'get', 'app')), /^Role app\nKV Read:\n/);
    assert.equal(errorLine(await asAlice('user', 'get', 'root')), DENIED);
    assert.equal(errorLine(await asAlice('role', 'get', 'root')), DENIED);
    assert.equal(errorLine(await asAlice('user', 'list')), DENIED);
    assert.equal(errorLine(await asAlice('role', 'add', 'mine')), DENIED);
    assert.equal(errorLine(await ctl([...ALICE, 'user', 'passwd', 'alice', '--interactive=false'], 'x\n')), DENIED);
    assert.equal(errorLine(await asAlice('auth', 'disable')), DENIED);
  });

  test('the etcd3 npm client authenticates and is confined the same way', async () => {
    const client = ctx.store.client({ auth: { username: 'alice', password: 'alicepw' } });
    await client.put('/app/npm').value('v');
    assert.equal(await client.get('/app/npm').string(), 'v');
    await assert.rejects(client.put('/elsewhere').value('v').exec(), /permission denied/);
    const bad = ctx.store.client({ auth: { username: 'alice', password: 'wrong' } });
    await assert.rejects(bad.get('/app/npm').string(), /authentication failed, invalid user ID or password/);
  });

  test('wrong passwords, unknown users and no-password users cannot log in', async () => {
    assert.equal(errorLine(await ctl(['--user', 'root:wrong', 'get', 'x'])), AUTH_FAILED);
    assert.equal(errorLine(await ctl(['--user', 'nobody:x', 'get', 'x'])), AUTH_FAILED);
    assert.equal(
      errorLine(await ctl(['--user', 'nopw:x', 'get', 'x'])),
      'Error: rpc error: code = Unknown desc = auth: authentication failed, password was given for no password user',
    );
  });

  test('root and its role cannot be removed while auth is enabled', async () => {
    const invalid = 'Error: etcdserver: invalid auth management';
    assert.equal(errorLine(await asRoot('user', 'delete', 'root')), invalid);
    assert.equal(errorLine(await asRoot('role', 'delete', 'root')), invalid);
    assert.equal(errorLine(await asRoot('user', 'revoke-role', 'root', 'root')), invalid);
  });

  test('a second root-role user administers; revoking the role takes it away', async () => {
    assert.equal(ok(await asRoot('user', 'add', 'bob:bobpw')), 'User bob created\n');
    assert.equal(ok(await asRoot('user', 'grant-role', 'bob', 'root')), 'Role root is granted to user bob\n');
    assert.equal(ok(await ctl(['--user', 'bob:bobpw', 'role', 'list'])), 'app\nroot\n');
    assert.equal(ok(await ctl(['--user', 'bob:bobpw', 'get', '/other'])), '');
    assert.equal(ok(await asRoot('user', 'revoke-role', 'bob', 'root')), 'Role root is revoked from user bob\n');
    assert.equal(errorLine(await ctl(['--user', 'bob:bobpw', 'role', 'list'])), DENIED);
    assert.equal(errorLine(await ctl(['--user', 'bob:bobpw', 'get', '/other'])), DENIED);
    assert.equal(ok(await asRoot('user', 'delete', 'bob')), 'User bob deleted\n');
    assert.equal(errorLine(await ctl(['--user', 'bob:bobpw', 'get', '/other'])), AUTH_FAILED);
  });

  test('changing a password retires the old one', async () => {
    assert.equal(ok(await ctl([...ROOT, 'user', 'passwd', 'alice', '--interactive=false'], 'alicepw2\n')), 'Password updated\n');
    assert.equal(errorLine(await asAlice('get', '/app/x')), AUTH_FAILED);
    assert.equal(ok(await ctl(['--user', 'alice:alicepw2', 'get', '/app/x'])), '/app/x\n1\n');
    assert.equal(ok(await ctl([...ROOT, 'user', 'passwd', 'alice', '--interactive=false'], 'alicepw\n')), 'Password updated\n');
  });

  test('users, roles and the enabled flag survive a restart', async () => {
    await ctx.store.restart();
    assert.equal(errorLine(await ctl(['get', 'x'])), 'Error: etcdserver: user name is empty');
    assert.equal(ok(await asAlice('get', '/app/x')), '/app/x\n1\n');
    assert.equal(errorLine(await asAlice('get', '/other')), DENIED);
    assert.equal(ok(await asRoot('user', 'list')), 'alice\nnopw\nroot\n');
  });

  test('deleting a role takes it from its users', async () => {
    assert.equal(ok(await asRoot('role', 'add', 'extra')), 'Role extra created\n');
    assert.equal(ok(await asRoot('user', 'grant-role', 'alice', 'extra')), 'Role extra is granted to user alice\n');
    assert.equal(ok(await asRoot('user', 'get', 'alice')), 'User: alice\nRoles: app extra\n');
    assert.equal(ok(await asRoot('role', 'delete', 'extra')), 'Role extra deleted\n');
    assert.equal(ok(await asRoot('user', 'get', 'alice')), 'User: alice\nRoles: app\n');
  });

  test('auth disable opens the store again, and root may then be deleted', async () => {
    assert.equal(ok(await asRoot('auth', 'disable')), 'Authentication Disabled\n');
    assert.equal(ok(await asRoot('auth', 'disable')), 'Authentication Disabled\n');
    assert.equal(ok(await ctl(['put', '/other', 'free'])), 'OK\n');
    assert.equal(ok(await ctl(['get', '/other'])), '/other\nfree\n');
    // the client ignores "authentication is not enabled" and goes on without a token
    assert.equal(ok(await ctl(['--user', 'alice:wrong', 'get', '/other'])), '/other\nfree\n');
    assert.equal(ok(await ctl(['user', 'delete', 'root'])), 'User root deleted\n');
    assert.equal(ok(await ctl(['user', 'list'])), 'alice\nnopw\n');
    assert.equal(errorLine(await ctl(['auth', 'enable'])), 'Error: etcdserver: root user does not exist');
  });
});
