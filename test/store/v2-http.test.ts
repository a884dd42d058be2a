// The v2 HTTP API byte for byte (indexes masked) against the real etcd 3.4: status codes,
// error bodies, headers, the long poll; and durability of the v2 keyspace across restarts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { StoreProcess } from './harness/store-process.js';
import { unavailableReason } from './harness/targets.js';
import { InProcessV2, mask, type V2Endpoint } from './v2-harness.js';

type Req = [method: string, path: string, body?: Record<string, string>];

const REQUESTS: Req[] = [
  ['GET', '/v2/keys/h/nope'],
  ['PUT', '/v2/keys/h/foo', { value: 'bar' }],
  ['PUT', '/v2/keys/h/foo', { value: 'bar2' }],
  ['PUT', '/v2/keys/h/foo/x', { value: '1' }],
  ['PUT', '/v2/keys/h/dir', { dir: 'true' }],
  ['PUT', '/v2/keys/h/dir', { dir: 'true' }],
  ['PUT', '/v2/keys/h/dir?prevExist=false', { dir: 'true' }],
  ['PUT', '/v2/keys/h/foo?prevExist=false', { value: 'z' }],
  ['PUT', '/v2/keys/h/foo?prevExist=true', { value: 'z' }],
  ['PUT', '/v2/keys/h/foo?prevValue=zz', { value: 'q' }],
  ['PUT', '/v2/keys/h/foo?prevValue=z', { value: 'q' }],
  ['PUT', '/v2/keys/h/foo?prevIndex=1', { value: 'q' }],
  ['PUT', '/v2/keys/h/foo?prevIndex=abc', { value: 'q' }],
  ['PUT', '/v2/keys/h/foo', { value: 'q', ttl: 'abc' }],
  ['PUT', '/v2/keys/h/foo', { value: 'q', ttl: '-1' }],
  ['PUT', '/v2/keys/h/foo', { value: 'x', ttl: '100', refresh: 'true' }],
  ['PUT', '/v2/keys/h/foo', { refresh: 'true' }],
  ['PUT', '/v2/keys/h/foo', { value: 'q', prevValue: '' }],
  ['PUT', '/v2/keys/h/foo?prevExist=abc', { value: 'q' }],
  ['PUT', '/v2/keys/h/foo?recursive=abc', { value: 'q' }],
  ['PUT', '/v2/keys/h/foo?wait=true', { value: 'q' }],
  ['PUT', '/v2/keys/h/foo?noValueOnSuccess=true', { value: 'nv' }],
  ['PUT', '/v2/keys/h/dir/a', { value: '1' }],
  ['PUT', '/v2/keys/h/dir/b/c', { value: '2' }],
  ['PUT', '/v2/keys/h/dir/_h', { value: '3' }],
  ['PUT', '/v2/keys/h/dir/<&>', { value: 'a<b>&c\u2028' }],
  ['GET', '/v2/keys/h/dir?sorted=true'],
  ['GET', '/v2/keys/h/dir?recursive=true&sorted=true'],
  ['GET', '/v2/keys/h/dir/_h'],
  ['GET', '/v2/keys/h/dir/a/b'],
  ['GET', '/v2/keys/h/x/y/z'],
  ['GET', '/v2/keys/h/dir?sorted=abc'],
  ['GET', '/v2/keys/h/dir?wait=true&waitIndex=abc'],
  ['PUT', '/v2/keys/h/dir?prevExist=true', { dir: 'true', ttl: '100' }],
  ['PUT', '/v2/keys/h/dir?prevExist=true', { dir: 'true', ttl: '' }],
  ['PUT', '/v2/keys/h/dir?prevExist=true', { value: 'v' }],
  ['PUT', '/v2/keys/h/dir?prevValue=1', { value: 'v' }],
  ['DELETE', '/v2/keys/h/dir'],
  ['DELETE', '/v2/keys/h/dir?dir=true'],
  ['DELETE', '/v2/keys/h/dir/a?prevValue=x'],
  ['DELETE', '/v2/keys/h/dir/a?prevIndex=3'],
  ['DELETE', '/v2/keys/h/dir/a?prevValue=1'],
  ['DELETE', '/v2/keys/h/dir?prevValue=1'],
  ['DELETE', '/v2/keys/h/dir?recursive=true'],
  ['DELETE', '/v2/keys/'],
  ['PUT', '/v2/keys/', { value: '1' }],
  ['POST', '/v2/keys/h/q', { value: '1' }],
  ['POST', '/v2/keys/h/q', { value: '2' }],
  ['POST', '/v2/keys/h/foo', { value: '2' }],
  ['GET', '/v2/keys/h/q?sorted=true'],
  ['PUT', '/v2/keys/h/e', { value: '' }],
  ['PUT', '/v2/keys/h/e'],
  ['PUT', '/v2/keys/h/%zz', { value: '1' }],
  ['PATCH', '/v2/keys/h/e'],
  ['GET', '/v2/keys//h//e'],
  ['GET', '/v2/keysx'],
  ['GET', '/v2/nothing'],
  ['GET', '/v2/members'],
  ['GET', '/v2/members/leader'],
  ['GET', '/v2/stats/leader'],
  ['GET', '/v2/machines'],
];

const HEADERS = ['content-type', 'x-etcd-index', 'x-raft-index', 'x-raft-term', 'x-etcd-cluster-id', 'location', 'allow', 'access-control-allow-origin'];

async function exchange(url: string, [method, path, body]: Req): Promise<string> {
  const r = await fetch(url + path, {
    method,
    redirect: 'manual',
    body: body ? new URLSearchParams(body).toString() : undefined,
    headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : undefined,
  });
  const text = await r.text();
  const present = HEADERS.filter((h) => r.headers.has(h)).map((h) => (h.startsWith('x-') && h !== 'x-etcd-cluster-id' ? h : `${h}: ${r.headers.get(h)}`));
  return mask(`${method} ${path} ${JSON.stringify(body ?? {})}\n${r.status}\n${present.join('\n')}\n${text}`);
}

const skip = unavailableReason('etcd');
describe('v2 HTTP API matches etcd 3.4', { skip }, () => {
  const eps: V2Endpoint[] = [];
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

  test('responses: status, headers, JSON bodies and errors', async () => {
    const [etcd, ...others] = eps;
    const want: string[] = [];
    for (const r of REQUESTS) want.push(await exchange(etcd.url, r));
    for (const ep of others) {
      const got: string[] = [];
      for (const r of REQUESTS) got.push(await exchange(ep.url, r));
      // cluster and member ids differ by design; the rest must not
      const norm = (xs: string[]) => xs.map((x) => x.replace(/"name":"[^"]*"/g, '"name":"M"'));
      assert.deepEqual(norm(got), norm(want), `${ep.name} differs from etcd`);
    }
  });

  test('long poll: headers flush at once, the event follows; a stream keeps going', async () => {
    for (const ep of eps) {
      const ctl = new AbortController();
      const res = await fetch(`${ep.url}/v2/keys/lp/k?wait=true`, { signal: ctl.signal });
      assert.equal(res.status, 200, ep.name);
      const idx = Number(res.headers.get('x-etcd-index'));
      const body = res.text();
      await fetch(`${ep.url}/v2/keys/lp/k`, { method: 'PUT', body: new URLSearchParams({ value: 'v' }) }).then((r) => r.text());
      const ev = JSON.parse(await body) as { action: string; node: { key: string; value: string; modifiedIndex: number } };
      assert.deepEqual([ev.action, ev.node.key, ev.node.value], ['set', '/lp/k', 'v'], ep.name);
      assert.equal(ev.node.modifiedIndex, idx + 1, `${ep.name}: the event is the first change after the watch started`);

      const stream = await fetch(`${ep.url}/v2/keys/lp?wait=true&recursive=true&stream=true`, { signal: ctl.signal });
      const reader = stream.body!.getReader();
      let text = '';
      for (const v of ['a', 'b']) await fetch(`${ep.url}/v2/keys/lp/s`, { method: 'PUT', body: new URLSearchParams({ value: v }) }).then((r) => r.text());
      while (text.split('\n').length < 3) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
      ctl.abort();
      const values = text.trim().split('\n').map((l) => (JSON.parse(l) as { node: { value: string } }).node.value);
      assert.deepEqual(values, ['a', 'b'], ep.name);
    }
  });
});

describe('v2 keyspace is durable', () => {
  test('the bare handler: close and reopen keeps nodes, TTLs and indexes', async () => {
    const ep = await InProcessV2.start();
    try {
      const put = (p: string, body: Record<string, string>) => fetch(ep.url + p, { method: 'PUT', body: new URLSearchParams(body) }).then((r) => r.text());
      await put('/v2/keys/d/a', { value: '1' });
      await put('/v2/keys/d/t', { value: 'ttl', ttl: '500' });
      await put('/v2/keys/d/sub', { dir: 'true' });
      await put('/v2/keys/gone/x', { value: '1' });
      await fetch(`${ep.url}/v2/keys/gone?recursive=true`, { method: 'DELETE' }).then((r) => r.text());
      const read = async () => {
        const r = await fetch(`${ep.url}/v2/keys/?recursive=true&sorted=true`);
        return { index: r.headers.get('x-etcd-index'), body: (await r.text()).replace(/"ttl":\d+/g, '"ttl":N') };
      };
      const before = await read();
      await ep.reopen();
      assert.deepEqual(await read(), before);
      assert.match(before.body, /"expiration":"/);
      // the index keeps counting from where it was
      const next = JSON.parse(await put('/v2/keys/d/b', { value: '2' })) as { node: { modifiedIndex: number } };
      assert.equal(next.node.modifiedIndex, Number(before.index) + 1);
      // history did not survive: older indexes are cleared, not silently waited on
      const w = await fetch(`${ep.url}/v2/keys/d/a?wait=true&waitIndex=1`);
      assert.equal(w.status, 400);
      assert.equal(((await w.json()) as { errorCode: number }).errorCode, 401);
    } finally {
      await ep.stop();
    }
  });

  const tkSkip = unavailableReason('tskube');
  test('tskube etcd: acknowledged v2 writes survive SIGKILL', { skip: tkSkip }, async () => {
    const tk = await StoreProcess.start('tskube');
    try {
      const puts = Array.from({ length: 20 }, (_, i) =>
        fetch(`${tk.endpoint}/v2/keys/k/${i}`, { method: 'PUT', body: new URLSearchParams({ value: `v${i}` }) }).then((r) => r.json()),
      );
      const acked = (await Promise.all(puts)) as { node: { key: string; modifiedIndex: number } }[];
      await tk.restart({ kill: true });
      for (const a of acked) {
        const r = (await (await fetch(`${tk.endpoint}/v2/keys${a.node.key}`)).json()) as { node: { modifiedIndex: number; value: string } };
        assert.equal(r.node.modifiedIndex, a.node.modifiedIndex, a.node.key);
      }
    } finally {
      await tk.destroy();
    }
  });
});
