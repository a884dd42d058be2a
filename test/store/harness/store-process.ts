// One store server on loopback: the real etcd 3.4 or `tskube etcd`, started with the same
// flags, a temp data dir and free ports. Tests drive it with the real etcdctl and the etcd3
// npm client, and can stop, SIGKILL and restart it on the same ports and data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3, type IOptions } from 'etcd3';
import { etcdctl, type EtcdctlOptions } from './etcdctl.js';
import { freePorts } from './ports.js';
import { tskubeMain } from './repo-root.js';
import type { RunResult } from './run-process.js';

export type TargetName = 'etcd' | 'tskube';

export const REAL_ETCD = '/usr/bin/etcd';

export interface StoreStartOptions {
  /** reuse a data dir (e.g. one restored from a snapshot); otherwise a fresh temp dir */
  dataDir?: string;
  /** flags added after the standard ones */
  extraArgs?: string[];
  /** tskube only: node flags (e.g. --cpu-prof) and another build's main script (bench A/B) */
  nodeArgs?: string[];
  tskubeMain?: string;
  readyTimeoutMs?: number;
  /** ready once /health answers at all, even {"health":"false"} (an alarm is raised) */
  acceptUnhealthy?: boolean;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every child a harness started, so a crashed test run still leaves no servers behind. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** argv for a target: [command, ...args] with the standard single-member flags. */
export function storeCommand(
  target: TargetName,
  dataDir: string,
  clientPort: number,
  peerPort: number,
  extraArgs: string[] = [],
  clientScheme: 'http' | 'https' = 'http',
  node: { args?: string[]; main?: string } = {},
): [string, string[]] {
  const client = `${clientScheme}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const flags = [
    '--name', 't',
    '--data-dir', dataDir,
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `t=${peer}`,
    '--enable-v2',
    ...extraArgs,
  ];
  if (target === 'etcd') return [REAL_ETCD, flags];
  return [process.execPath, [...(node.args ?? []), node.main ?? tskubeMain, 'etcd', ...flags]];
}

/** Keeps the last bytes a child printed, for failure messages. */
class OutputTail {
  private text = '';
  constructor(private readonly max = 64 * 1024) {}
  add(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.max) this.text = this.text.slice(this.text.length - this.max);
  }
  toString(): string {
    return this.text;
  }
}

export class StoreProcess {
  readonly endpoint: string;
  private child: ChildProcess | undefined;
  private exitPromise: Promise<ExitStatus> | undefined;
  private tail = new OutputTail();
  private clients = new Set<Etcd3>();

  private constructor(
    readonly target: TargetName,
    readonly dataDir: string,
    readonly clientPort: number,
    readonly peerPort: number,
    private readonly ownsDataDir: boolean,
    private readonly opts: StoreStartOptions,
  ) {
    this.endpoint = `http://127.0.0.1:${clientPort}`;
  }

  static async start(target: TargetName, opts: StoreStartOptions = {}): Promise<StoreProcess> {
    const [clientPort, peerPort] = await freePorts(2);
    const ownsDataDir = opts.dataDir === undefined;
    const dataDir = opts.dataDir ?? join(mkdtempSync(join(tmpdir(), `store-${target}-`)), 'data');
    const store = new StoreProcess(target, dataDir, clientPort, peerPort, ownsDataDir, { ...opts });
    try {
      await store.launch();
    } catch (err) {
      await store.destroy();
      throw err;
    }
    return store;
  }

  /** Everything the server printed (last 64 KiB). */
  output(): string {
    return this.tail.toString();
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process on this store's ports and data dir and waits for /health. */
  async launch(): Promise<void> {
    if (this.child) throw new Error(`${this.target} already running`);
    const child = this.spawnChild();
    const exited = this.exitPromise!;
    const ctl = new AbortController();
    const ready = waitHealthy(this.endpoint, this.opts.readyTimeoutMs ?? 30_000, ctl.signal, this.opts.acceptUnhealthy);
    const outcome = await Promise.race([ready.then(() => 'ready' as const), exited])
      .catch((err: Error) => {
        throw new Error(`${this.target}: ${err.message}\n${this.output()}`);
      })
      .finally(() => ctl.abort());
    if (outcome !== 'ready') {
      throw new Error(
        `${this.target} exited before it was ready (code ${outcome.code}, signal ${outcome.signal}):\n${this.output()}`,
      );
    }
    void child;
  }

  /**
   * Starts the process and waits for it to exit on its own (for damaged data dirs). If it
   * turns healthy instead (or neither happens in time) it is killed and 'served' (or
   * 'timeout') is returned.
   */
  async launchExpectingExit(timeoutMs = 30_000): Promise<ExitStatus | 'served' | 'timeout'> {
    if (this.child) throw new Error(`${this.target} already running`);
    this.spawnChild();
    const exited = this.exitPromise!;
    const ctl = new AbortController();
    const outcome = await Promise.race([
      exited,
      waitHealthy(this.endpoint, timeoutMs, ctl.signal).then(
        () => 'served' as const,
        () => 'timeout' as const,
      ),
    ]);
    ctl.abort();
    if (outcome === 'served' || outcome === 'timeout') await this.kill();
    return outcome;
  }

  private spawnChild(): ChildProcess {
    const [cmd, args] = storeCommand(this.target, this.dataDir, this.clientPort, this.peerPort, this.opts.extraArgs, 'http', {
      args: this.opts.nodeArgs,
      main: this.opts.tskubeMain,
    });
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    this.child = child;
    this.tail.add(`--- ${this.target} start: ${cmd} ${args.join(' ')}\n`);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => this.tail.add(d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => this.tail.add(d));
    this.exitPromise = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        resolve({ code, signal });
      };
      child.on('exit', done);
      child.on('error', (err) => {
        this.tail.add(`spawn error: ${err.message}\n`);
        done(127, null);
      });
    });
    return child;
  }

  /** Graceful stop (SIGTERM), SIGKILL after a grace period. Closes this store's clients. */
  async stop(graceMs = 10_000): Promise<ExitStatus | undefined> {
    this.closeClients();
    const child = this.child;
    if (!child) return undefined;
    const exited = this.exitPromise!;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const st = await exited;
    clearTimeout(timer);
    return st;
  }

  /** SIGKILL: no chance to flush anything. */
  async kill(): Promise<ExitStatus | undefined> {
    const child = this.child;
    if (!child) return undefined;
    const exited = this.exitPromise!;
    child.kill('SIGKILL');
    const st = await exited;
    this.closeClients();
    return st;
  }

  /** Resolves when the process exits by itself. */
  waitExit(): Promise<ExitStatus> {
    if (!this.exitPromise) return Promise.resolve({ code: null, signal: null });
    return this.exitPromise;
  }

  /** stops (or SIGKILLs) and starts again; `extraArgs` replaces the extra flags from now on */
  async restart(opts: { kill?: boolean; extraArgs?: string[]; acceptUnhealthy?: boolean } = {}): Promise<void> {
    if (opts.kill) await this.kill();
    else await this.stop();
    if (opts.extraArgs) this.opts.extraArgs = opts.extraArgs;
    if (opts.acceptUnhealthy !== undefined) this.opts.acceptUnhealthy = opts.acceptUnhealthy;
    await this.launch();
  }

  /** Stops the server and removes its temp data dir (only one the harness made). */
  async destroy(): Promise<void> {
    await this.stop(5_000);
    if (this.ownsDataDir) rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  /** The real etcdctl against this server. */
  etcdctl(args: string[], opts: Omit<EtcdctlOptions, 'endpoint'> = {}): Promise<RunResult> {
    return etcdctl(args, { ...opts, endpoint: this.endpoint });
  }

  /** An etcd3 npm client; closed automatically when the server stops. */
  client(opts: Partial<IOptions> = {}): Etcd3 {
    const c = new Etcd3({ hosts: this.endpoint, dialTimeout: 5_000, ...opts });
    this.clients.add(c);
    return c;
  }

  private closeClients(): void {
    for (const c of this.clients) c.close();
    this.clients.clear();
  }
}

/** Polls GET /health until it reports {"health":"true"}. */
export async function waitHealthy(endpoint: string, timeoutMs: number, signal?: AbortSignal, acceptUnhealthy = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error('aborted');
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      last = `${res.status} ${body}`;
      const health = (JSON.parse(body) as { health?: string }).health;
      if ((res.ok && health === 'true') || (acceptUnhealthy && health !== undefined)) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${endpoint}/health not ready after ${timeoutMs} ms (last: ${last})`);
}
