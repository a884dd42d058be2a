// `tskube etcd` flag handling: bad flags exit 2 with a clear message and start nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tskubeMain } from './harness/repo-root.js';
import { run } from './harness/run-process.js';

const tskube = (args: string[]) => run(process.execPath, [tskubeMain, ...args], { timeoutMs: 20_000 });

test('etcd --help lists etcd flag names and exits 0', async () => {
  const res = await tskube(['etcd', '--help']);
  assert.equal(res.code, 0, res.stderr);
  for (const flag of ['--listen-client-urls', '--quota-backend-bytes', '--auto-compaction-retention', '--client-cert-auth', '--enable-v2']) {
    assert.match(res.stdout, new RegExp(flag));
  }
});

test('bad etcd flags exit 2 with a clear error and create no data dir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'server-cli-'));
  try {
    const dataDir = join(dir, 'data');
    const cases: [string[], RegExp][] = [
      [['--no-such-flag'], /unknown option '--no-such-flag'/],
      [['--log-level', 'loud'], /--log-level.*loud.*invalid/],
      [['--auto-compaction-mode', 'sometimes'], /--auto-compaction-mode.*invalid/],
      [['--auto-compaction-retention', 'soon'], /invalid --auto-compaction-retention "soon"/],
      [['--auto-compaction-mode', 'revision', '--auto-compaction-retention', '1h'], /revision mode/],
      [['--quota-backend-bytes', 'lots'], /invalid value "lots" for --quota-backend-bytes/],
      [['--listen-client-urls', 'ftp://127.0.0.1:1'], /URL scheme must be http or https/],
      [['--listen-client-urls', 'http://127.0.0.1'], /host:port/],
      [['--listen-client-urls', 'https://127.0.0.1:1'], /--cert-file and --key-file/],
      [['--client-cert-auth'], /--trusted-ca-file/],
      [['--name', 'a', '--initial-cluster', 'b=http://127.0.0.1:2380'], /couldn't find local name "a"/],
    ];
    for (const [args, message] of cases) {
      const res = await tskube(['etcd', '--data-dir', dataDir, ...args]);
      assert.equal(res.code, 2, `${args.join(' ')}: exit ${res.code}\n${res.stderr}`);
      assert.match(res.stderr, message, args.join(' '));
    }
    assert.equal(existsSync(dataDir), false, 'a refused start must not create the data dir');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--initial-cluster with two members is refused: HA is real etcd\'s job', async () => {
  const res = await tskube([
    'etcd',
    '--name', 'a',
    '--initial-cluster', 'a=http://127.0.0.1:2380,b=http://127.0.0.1:2381',
  ]);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /lists 2 members \(a, b\)/);
  assert.match(res.stderr, /exactly one member/);
  assert.match(res.stderr, /real etcd/);
});
