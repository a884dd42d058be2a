// What `kubectl exec` into a hollow container does: the simulated commands with real output.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { simulatedExec } from '../../src/kubelet/runtime/simulated-exec.js';

async function run(argv: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => { out += d; });
  stderr.on('data', (d) => { err += d; });
  const stdin = input === undefined ? undefined : new PassThrough();
  stdin?.end(input);
  const code = await simulatedExec(argv, { stdin, stdout, stderr, tty: false, onResize: () => undefined, signal: new AbortController().signal },
    { hostname: 'pod-1', env: { A: 'b' } });
  return { code, out, err };
}

describe('hollow exec', () => {
  it('simulates echo, hostname, env, cat and exit codes', async () => {
    assert.deepEqual(await run(['echo', 'hi', 'there']), { code: 0, out: 'hi there\n', err: '' });
    assert.equal((await run(['hostname'])).out, 'pod-1\n');
    assert.equal((await run(['env'])).out, 'A=b\n');
    assert.equal((await run(['cat'], 'abc')).out, 'abc');
    assert.equal((await run(['sh', '-c', 'echo one; exit 3; echo never'])).code, 3);
    const r = await run(['sh', '-c', 'false && echo no; echo yes']);
    assert.deepEqual([r.code, r.out], [0, 'yes\n']);
  });
  it('says what it cannot simulate instead of pretending', async () => {
    const r = await run(['ls', '/']);
    assert.equal(r.code, 127);
    assert.match(r.err, /ls: not found/);
  });
});
