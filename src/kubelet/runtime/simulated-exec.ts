// `kubectl exec` into a hollow container: nothing runs, so a few commands are simulated
// with real output — echo, hostname, cat (stdin to stdout), env, true, false, exit N,
// sleep N — alone or as `sh -c "a; b && c"`. Anything else is "not found" (exit 127),
// so a script never silently pretends to have worked.
import type { StreamingIO } from './runtime-service.js';

export interface SimulatedShell {
  hostname: string;
  env: Record<string, string>;
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

const unquote = (w: string) => w.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');

/** Runs one simple command; returns its exit code. */
async function command(words: string[], io: StreamingIO, sh: SimulatedShell): Promise<number> {
  const [cmd, ...args] = words;
  const base = cmd.split('/').pop();
  const out = (s: string) => { io.stdout?.write(io.tty ? s.replace(/\n/g, '\r\n') : s); };
  switch (base) {
    case 'true': case ':': return 0;
    case 'false': return 1;
    case 'exit': return args[0] === undefined ? 0 : Number(args[0]) & 0xff;
    case 'echo': out(`${args.join(' ')}\n`); return 0;
    case 'hostname': out(`${sh.hostname}\n`); return 0;
    case 'env': out(Object.entries(sh.env).map(([k, v]) => `${k}=${v}\n`).join('')); return 0;
    case 'sleep': {
      const n = Number(String(args[0] ?? '').replace(/s$/, ''));
      if (!Number.isFinite(n) || n < 0) { io.stderr?.write(`sleep: invalid number '${args[0] ?? ''}'\n`); return 1; }
      await sleep(n * 1000, io.signal);
      return 0;
    }
    case 'cat': {
      if (!io.stdin) return 0;
      await new Promise<void>((resolve) => {
        io.stdin!.on('data', (d: Buffer) => io.stdout?.write(d));
        io.stdin!.once('end', resolve);
        io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return 0;
    }
    default:
      (io.stderr ?? io.stdout)?.write(`sh: ${cmd}: not found (the hollow runtime simulates only echo, hostname, env, cat, sleep, true, false, exit)\n`);
      return 127;
  }
}

export async function simulatedExec(argv: string[], io: StreamingIO, sh: SimulatedShell): Promise<number> {
  if (!argv.length) return 0;
  const base = argv[0].split('/').pop();
  if ((base === 'sh' || base === 'bash' || base === 'ash') && argv[1] === '-c' && argv.length >= 3) {
    let code = 0;
    // statements separated by ; run in turn, && stops at the first failure
    for (const seq of argv[2].split(/;|\n/).map((x) => x.trim()).filter(Boolean)) {
      for (const part of seq.split('&&').map((x) => x.trim()).filter(Boolean)) {
        const words = part.match(/"[^"]*"|'[^']*'|\S+/g)!.map(unquote);
        code = await command(words, io, sh);
        if (words[0] === 'exit' || io.signal.aborted) return code;
        if (code !== 0) break;
      }
    }
    return code;
  }
  return command(argv, io, sh);
}
