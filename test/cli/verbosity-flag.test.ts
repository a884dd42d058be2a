// `-v`: every component takes klog's verbosity as `-v N`, `--v=N` and pflag's `-v=N`, and
// refuses a value that is not a whole number as a flag error (exit 2) instead of starting
// with logging silently off.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../apiserver/harness.js';

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

test('-v with a value that is not a whole number is a flag error in every component', () => {
  for (const component of ['apiserver', 'controller-manager', 'scheduler', 'kubelet', 'proxy', 'dns']) {
    for (const bad of [['-v=x'], ['--v=2.5'], ['-v', 'abc']]) {
      const args = [component, ...bad];
      const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 2, `${args.join(' ')} exits 2: ${r.stderr}`);
      assert.match(r.stderr, /want a whole number \(log verbosity\)/, `${args.join(' ')}: ${r.stderr}`);
    }
  }
});

test('apiserver -v=2 logs at level 2 (pflag shorthand with =)', { timeout: 120_000 }, async () => {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-verbosity-')), 'apiserver.log');
  process.env.TSKUBE_APISERVER_LOG = log; // the harness tees the API server's stderr there
  const c = await startCluster({ apiserverArgs: ['-v=2'] });
  try {
    assert.match(fs.readFileSync(log, 'utf8'), /admission plugins: /);
    c.k('get', 'namespaces');
  } finally {
    await c.stop();
    delete process.env.TSKUBE_APISERVER_LOG;
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
  }
});
