// Runs the proxy's kernel tools (nft, iptables-restore, …) from a small helper process.
// Node starts a child by forking itself, and fork copies the page tables of the whole heap:
// at 10,000 Services (~250–700 MB RSS) that took 40–350 ms of each tool run on this VM,
// against ~15 ms from a 40 MB process — as much as the `nft -f` of a one-Service change. The
// helper is one small Node process, started the first time a tool runs (or by warmToolRunner()
// while the heap is still small); it does not keep the proxy alive and exits with it.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ToolResult { code: number; stdout: string; stderr: string }

const HELPER = `
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
// CPU time of the finished tools (cutime + cstime, in clock ticks of 10 ms)
const childCpuMs = () => { const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' '); return (Number(f[13]) + Number(f[14])) * 10; };
process.on('message', ({ id, argv, input, env, stdout }) => {
  let done = false;
  const reply = (m) => { if (!done) { done = true; process.send({ id, ...m }); } };
  const child = spawn(argv[0], argv.slice(1), { stdio: [input === undefined ? 'ignore' : 'pipe', stdout ? 'pipe' : 'ignore', 'pipe'], env });
  const out = [];
  let err = '';
  if (child.stdout) child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => { err += d; });
  child.on('error', (e) => reply({ error: e.message }));
  child.on('close', (code) => reply({ code: code === null ? -1 : code, stdout: Buffer.concat(out).toString(), stderr: err, cpuMs: childCpuMs() }));
  if (child.stdin) { child.stdin.on('error', () => {}); child.stdin.end(input); }
});
process.on('disconnect', () => process.exit(0));
`;

type Reply = Partial<ToolResult> & { id: number; error?: string; cpuMs?: number };
let helper: ChildProcess | undefined;
const pending = new Map<number, { resolve: (r: ToolResult) => void; reject: (e: Error) => void }>();
let seq = 0;
/** CPU ms of every tool run so far (the helper's finished children), across helper restarts. */
let toolCpu = 0;
let helperCpuBase = 0;

/** CPU time (ms) the tools run so far have used: the benchmarks print it beside wall time. */
export const toolCpuMs = (): number => toolCpu;

function start(): ChildProcess {
  helperCpuBase = toolCpu;
  const h = spawn(process.execPath, ['-e', HELPER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
  h.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.cpuMs !== undefined) toolCpu = helperCpuBase + m.cpuMs;
    if (pending.size === 0) channel(h)?.unref();
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve({ code: m.code ?? -1, stdout: m.stdout ?? '', stderr: m.stderr ?? '' });
  });
  const gone = (why: string): void => {
    if (helper === h) helper = undefined;
    for (const p of pending.values()) p.reject(new Error(`tool helper ${why}`));
    pending.clear();
  };
  h.on('exit', (code, signal) => gone(`exited (${signal ?? code})`));
  h.on('error', (e) => gone(`failed: ${e.message}`));
  // an idle helper must not keep the proxy (or a test) running
  h.unref();
  channel(h)?.unref();
  return h;
}

const channel = (h: ChildProcess): { ref(): void; unref(): void } | undefined => (h as unknown as { channel?: { ref(): void; unref(): void } }).channel;

/** Starts the helper now, while this process is small (a no-op once it runs). */
export function warmToolRunner(): void {
  helper ??= start();
}

/** Runs argv with `input` on stdin (none: stdin closed); stdout is collected only if asked for. */
export function runTool(argv: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; stdout?: boolean } = {}): Promise<ToolResult> {
  const h = (helper ??= start());
  const id = ++seq;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    channel(h)?.ref();
    h.send({ id, argv, input: opts.input, env: opts.env ?? process.env, stdout: opts.stdout !== false }, (e) => {
      if (e && pending.delete(id)) reject(new Error(`tool helper: ${e.message}`));
    });
  });
}
