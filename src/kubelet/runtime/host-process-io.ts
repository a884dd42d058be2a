// How a host process is joined to a streaming session: with pipes (stdin/stdout/stderr as
// asked), or on a pseudo-terminal for `-t` (@lydell/node-pty: node-pty with prebuilt
// binaries in its npm packages, so nothing is compiled), whose size follows the client's.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { StreamingIO, TerminalSize } from './runtime-service.js';

export interface ProcessSpec { argv: string[]; cwd: string; env: NodeJS.ProcessEnv }

/** The parts of a node-pty terminal tskube uses. */
export interface Terminal {
  pid: number;
  onData(listener: (d: Buffer | string) => void): void;
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): void;
  write(data: Buffer | string): void;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
}

export const exitCodeOf = (code: number | null, signal: NodeJS.Signals | number | null | undefined): number => {
  if (code !== null && (signal === null || signal === undefined || signal === 0)) return code;
  if (typeof signal === 'number') return 128 + signal;
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
};

export async function openTerminal(spec: ProcessSpec, size: TerminalSize = { width: 80, height: 24 }): Promise<Terminal> {
  const pty = await import('@lydell/node-pty');
  const env: Record<string, string> = { TERM: 'xterm', ...Object.fromEntries(Object.entries(spec.env).filter(([, v]) => v !== undefined)) as Record<string, string> };
  const t = pty.spawn(spec.argv[0], spec.argv.slice(1), { cwd: spec.cwd, env, cols: size.width, rows: size.height, encoding: null });
  return {
    pid: t.pid,
    onData: (l) => { t.onData(l as (d: string) => void); },
    onExit: (l) => { t.onExit(l); },
    write: (d) => t.write(d as string),
    resize: (c, r) => { try { t.resize(c, r); } catch { /* already gone */ } },
    kill: (s) => { try { t.kill(s); } catch { /* already gone */ } },
  };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try { process.kill(-pid, signal); } catch { try { process.kill(pid, signal); } catch { /* gone */ } }
}

/** Runs a process joined to the session's streams; resolves with its exit code. */
export async function runWithStreams(spec: ProcessSpec, io: StreamingIO): Promise<number> {
  if (io.tty) return runOnTerminal(spec, io);
  return new Promise((resolve, reject) => {
    const child = spawn(spec.argv[0], spec.argv.slice(1), {
      cwd: spec.cwd, env: spec.env, stdio: [io.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true,
    });
    const abort = () => killGroup(child.pid, 'SIGKILL');
    io.signal.addEventListener('abort', abort, { once: true });
    if (io.stdin && child.stdin) {
      child.stdin.on('error', () => undefined);
      io.stdin.pipe(child.stdin);
    }
    forward(child.stdout!, io.stdout);
    forward(child.stderr!, io.stderr);
    child.once('error', (err) => { io.signal.removeEventListener('abort', abort); reject(err); });
    child.once('close', (code, signal) => {
      io.signal.removeEventListener('abort', abort);
      io.stdin?.unpipe();
      resolve(exitCodeOf(code, signal));
    });
  });
}

function forward(from: Readable, to: Writable | undefined): void {
  if (to) from.pipe(to, { end: false });
  else from.resume();
}

async function runOnTerminal(spec: ProcessSpec, io: StreamingIO): Promise<number> {
  let first: TerminalSize | undefined;
  io.onResize((s) => { first ??= s; });
  const term = await openTerminal(spec, first);
  io.onResize((s) => term.resize(s.width, s.height));
  return joinTerminal(term, io, () => new Promise((resolve) => term.onExit((e) => resolve(exitCodeOf(e.exitCode, e.signal ?? null)))), true);
}

/**
 * Joins a terminal to a session until `done` settles: output to stdout, stdin to the
 * terminal. A client that leaves hangs up an exec's terminal (SIGHUP), as a closed
 * terminal does; an attached client just leaves.
 */
export async function joinTerminal<T>(term: Terminal, io: StreamingIO, done: () => Promise<T>, hangUpOnLeave: boolean): Promise<T> {
  let output = Promise.resolve();
  let lastData = Date.now();
  term.onData((d) => {
    lastData = Date.now();
    if (io.stdout?.writable) output = new Promise((r) => { io.stdout!.write(d, () => r()); });
  });
  const onInput = (d: Buffer) => term.write(d);
  io.stdin?.on('data', onInput);
  const leave = () => { if (hangUpOnLeave) term.kill('SIGHUP'); };
  io.signal.addEventListener('abort', leave, { once: true });
  const result = await done();
  // the terminal's last output can trail its exit: wait until it has been quiet briefly
  while (Date.now() - lastData < 50) await new Promise((r) => setTimeout(r, 20));
  await output;
  io.stdin?.off('data', onInput);
  io.signal.removeEventListener('abort', leave);
  return result;
}
