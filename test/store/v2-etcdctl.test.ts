// `ETCDCTL_API=2 etcdctl` against the real etcd 3.4 (--enable-v2), `tskube etcd` and the v2
// handler on a plain server: every command must print the same thing (indexes masked).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { StoreProcess } from './harness/store-process.js';
import { unavailableReason } from './harness/targets.js';
import { etcdIndex, InProcessV2, mask, transcript, v2ctl, type V2Endpoint } from './v2-harness.js';

const SCRIPT: string[][] = [
  ['set', '/c/a', 'one'],
  ['get', '/c/a'],
  ['mk', '/c/a', 'two'],
  ['mk', '/c/b', 'two'],
  ['mkdir', '/c/d'],
  ['mkdir', '/c/d'],
  ['setdir', '/c/d'],
  ['setdir', '/c/e'],
  ['update', '/c/zz', 'x'],
  ['update', '/c/a', 'three'],
  ['updatedir', '--ttl', '100', '/c/d'],
  ['updatedir', '/c/a'],
  ['get', '/c/d'],
  ['get', '/c/nope/x'],
  ['get', '/c/a/x'],
  ['set', '/c/a/x', 'y'],
  ['set', '/c/d/_hidden', 'h'],
  ['set', '/c/d/f', 'x'],
  ['get', '/c/d/_hidden'],
  ['ls', '/c/d'],
  ['ls', '--sort', '-p', '/c'],
  ['ls', '--sort', '-r', '/c'],
  ['-o', 'json', 'get', '/c/a'],
  ['-o', 'extended', 'get', '/c/a'],
  ['-o', 'json', 'ls', '--sort', '-r', '/c'],
  ['set', '--swap-with-value', 'nope', '/c/a', 'four'],
  ['set', '--swap-with-value', 'three', '/c/a', 'four'],
  ['set', '--swap-with-index', '1', '/c/a', 'five'],
  ['rm', '--with-value', 'nine', '/c/a'],
  ['rm', '--with-index', '1', '/c/a'],
  ['rm', '/c/d'],
  ['rmdir', '/c/d'],
  ['rmdir', '/c/e'],
  ['rm', '--dir', '/c/b'],
  ['rm', '--recursive', '/c/d'],
  ['-o', 'json', 'rm', '--with-value', 'four', '/c/a'],
  ['rm', '/c/a'],
  ['rm', '/'],
  ['set', '/', 'x'],
  ['mkdir', '/'],
  ['set', '--ttl', 'abc', '/c/t', 'x'],
  ['member', 'list'],
  ['ls', '/c'],
];

async function runScript(ep: V2Endpoint): Promise<string[]> {
  const out: string[] = [];
  for (const args of SCRIPT) out.push(transcript(args, await v2ctl(ep.url, args)));
  return out;
}

async function runWatch(ep: V2Endpoint): Promise<string[]> {
  await v2ctl(ep.url, ['set', '/w/k', 'one']);
  const idx = String(await etcdIndex(ep.url));
  const line = (s: string) => s.includes('\n');
  const watches = [
    ['watch', '--after-index', idx, '/w/k'],
    ['-o', 'json', 'watch', '--after-index', idx, '--recursive', '/w'],
    // etcdctl 3.4 takes exec-watch's key from the last argument, whatever its usage line says
    ['exec-watch', '--after-index', idx, '--', 'sh', '-c', 'echo "$ETCD_WATCH_ACTION $ETCD_WATCH_KEY=$ETCD_WATCH_VALUE"', '/w/k'],
  ];
  // watch ends by itself after one event; exec-watch runs until stopped
  const runs = watches.map((a, i) => v2ctl(ep.url, a, { stopWhen: i === 2 ? line : undefined, timeoutMs: 15_000 }));
  await v2ctl(ep.url, ['set', '/w/k', 'two']);
  const results = await Promise.all(runs);
  // exec-watch runs until stopped: compare only what it printed
  const out = results.map((r, i) => (i === 2 ? mask(r.stdout) : transcript(watches[i].filter((a) => a !== idx), r)));
  assert.equal(out[2], 'set /w/k=two\n', `${ep.name}: exec-watch ran the command with the event`);
  return out;
}

async function runTTL(ep: V2Endpoint): Promise<string[]> {
  const set = await v2ctl(ep.url, ['-o', 'json', 'set', '--ttl', '1', '/ttl/k', 'v']);
  const idx = String(await etcdIndex(ep.url));
  const expired = await v2ctl(ep.url, ['-o', 'json', 'watch', '--after-index', idx, '/ttl/k'], { timeoutMs: 15_000 });
  const gone = await v2ctl(ep.url, ['get', '/ttl/k']);
  return [transcript(['set'], set), transcript(['watch'], expired), transcript(['get'], gone)];
}

/** More than 1000 changes push the first ones out of the watch history: 401. */
async function runCleared(ep: V2Endpoint): Promise<string> {
  const first = await etcdIndex(ep.url);
  for (let batch = 0; batch < 21; batch++) {
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const r = await fetch(`${ep.url}/v2/keys/hist/k${i}`, { method: 'PUT', body: new URLSearchParams({ value: String(batch) }) });
        await r.arrayBuffer();
      }),
    );
  }
  const args = ['watch', '--after-index', String(first), '/hist/k0'];
  return transcript(['watch', '/hist/k0'], await v2ctl(ep.url, args, { timeoutMs: 15_000 }));
}

const skip = unavailableReason('etcd');
describe('v2 keys API through etcdctl (ETCDCTL_API=2)', { skip }, () => {
  const eps: V2Endpoint[] = [];
  const expected: Record<string, unknown> = {};
  before(async () => {
    const etcd = await StoreProcess.start('etcd');
    eps.push({ name: 'etcd', url: etcd.endpoint, stop: () => etcd.destroy() });
    eps.push(await InProcessV2.start());
    if (!unavailableReason('tskube')) {
      const tk = await StoreProcess.start('tskube');
      eps.push({ name: 'tskube etcd', url: tk.endpoint, stop: () => tk.destroy() });
    }
  });
  after(async () => {
    await Promise.all(eps.map((e) => e.stop()));
  });

  const cases: [string, (ep: V2Endpoint) => Promise<unknown>][] = [
    ['commands print what etcd prints', runScript],
    ['watch and exec-watch see the next change', runWatch],
    ['a TTL runs out: expire event, then 100 Key not found', runTTL],
    ['a waitIndex older than the 1000-event history is 401 event index cleared', runCleared],
  ];
  for (const [name, fn] of cases) {
    test(name, async () => {
      const [etcd, ...others] = eps;
      expected[name] = await fn(etcd);
      for (const ep of others) assert.deepEqual(await fn(ep), expected[name], `${ep.name} differs from etcd`);
    });
  }
});
