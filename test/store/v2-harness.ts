// Endpoints for the v2 tests: the real etcd and `tskube etcd` as processes (harness), plus
// the v2 handler alone on a plain http.Server in this process. Output is compared with the
// numbers that legitimately differ (indexes, ids, ports, times) masked.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createV2Handler, V2Store } from '../../src/store/v2/v2-http.js';
import { etcdctl } from './harness/etcdctl.js';
import type { RunResult } from './harness/run-process.js';

export interface V2Endpoint {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/** The v2 handler on its own server; `reopen` closes the store and opens it again from disk. */
export class InProcessV2 implements V2Endpoint {
  readonly name = 'in-process';
  url = '';
  private server!: http.Server;
  store!: V2Store;
  private constructor(readonly dataDir: string, private readonly ownsDir: boolean) {}

  static async start(dataDir?: string): Promise<InProcessV2> {
    const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'v2-inproc-'));
    const ep = new InProcessV2(dir, dataDir === undefined);
    await ep.listen();
    return ep;
  }

  private async listen(port = 0): Promise<void> {
    this.store = await V2Store.open({ dataDir: this.dataDir });
    const member = { id: '8e9e05c52164694d', name: 't', peerURLs: ['http://127.0.0.1:2380'], clientURLs: [] as string[] };
    const handler = createV2Handler({ store: this.store, clusterId: 'cdf818194e3a8c32', member });
    this.server = http.createServer((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end('404 page not found\n');
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    member.clientURLs.push(this.url);
  }

  async reopen(): Promise<void> {
    const port = Number(new URL(this.url).port);
    await this.close();
    // let this process's pooled client sockets see the close before the next request
    await new Promise((resolve) => setTimeout(resolve, 50));
    await this.listen(port);
  }

  private async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.store.close();
  }

  async stop(): Promise<void> {
    await this.close();
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Index numbers, ids, ports, unique keys and times masked. */
export function mask(s: string): string {
  return s
    .replace(/\[\d+\/\d+\]/g, '[N/N]')
    .replace(/\[\d+\]/g, '[N]')
    .replace(/!= \d+\]/g, '!= N]')
    .replace(/"(createdIndex|modifiedIndex|index)":\d+/g, '"$1":N')
    .replace(/(Created-Index|Modified-Index|Index): \d+/g, '$1: N')
    .replace(/\d{20}/g, 'UNIQUE')
    .replace(/\b[0-9a-f]{16}\b/g, 'ID')
    // etcd prints member ids with %x, so a leading zero nibble makes them shorter than 16.
    .replace(/"(id|leader)":"[0-9a-f]{1,16}"/g, '"$1":"ID"')
    .replace(/^[0-9a-f]{1,16}(?=: name=)/gm, 'ID')
    .replace(/x-etcd-cluster-id: [0-9a-f]{1,16}\b/g, 'x-etcd-cluster-id: ID')
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'URL')
    .replace(/"expiration":"[^"]+"/g, '"expiration":"T"')
    .replace(/"ttl":\d+/g, '"ttl":N')
    .replace(/TTL: [1-9]\d*/g, 'TTL: N');
}

/** What a run printed, in one comparable block: exit code, stdout, and etcdctl's Error lines. */
export function transcript(args: string[], r: RunResult): string {
  const errs = r.stderr.split('\n').filter((l) => l.startsWith('Error'));
  return mask(`$ ${args.join(' ')}\ncode=${r.code}\n${r.stdout}${errs.join('\n')}`);
}

export function v2ctl(url: string, args: string[], opts: { stopWhen?: (s: string) => boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  return etcdctl(args, { api: 2, endpoint: url, ...opts });
}

/** The store index a fresh GET reports. */
export async function etcdIndex(url: string): Promise<number> {
  const r = await fetch(`${url}/v2/keys/`);
  await r.arrayBuffer();
  return Number(r.headers.get('x-etcd-index'));
}
