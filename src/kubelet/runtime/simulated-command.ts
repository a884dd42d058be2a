// What a hollow container "does": the few commands the hollow runtime honours, so Jobs
// complete and crash loops happen without running anything. Everything else runs forever.

export interface SimulatedCommand {
  /** Milliseconds until the container exits; undefined = runs until stopped. */
  runMs?: number;
  exitCode: number;
}

const FOREVER: SimulatedCommand = { exitCode: 0 };

function duration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(s);
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit * 1000;
}

/** One shell-ish statement: `sleep N`, `true`, `false`, `exit N`. */
function statement(words: string[]): SimulatedCommand | undefined {
  const [cmd, ...rest] = words;
  const base = cmd?.split('/').pop();
  if (base === 'true' || base === ':') return { runMs: 0, exitCode: 0 };
  if (base === 'false') return { runMs: 0, exitCode: 1 };
  if (base === 'exit') return { runMs: 0, exitCode: rest[0] === undefined ? 0 : Number(rest[0]) & 0xff };
  if (base === 'sleep' && rest.length === 1) {
    if (rest[0] === 'infinity') return FOREVER;
    const ms = duration(rest[0]);
    return ms === undefined ? undefined : { runMs: ms, exitCode: 0 };
  }
  return undefined;
}

/** `sh -c "sleep 2; exit 3"` and friends: statements run in order; unknown ones run forever. */
function script(text: string): SimulatedCommand {
  let total = 0;
  for (const part of text.split(/;|&&|\n/).map((s) => s.trim()).filter(Boolean)) {
    const words = part.split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ''));
    const s = statement(words);
    if (!s || s.runMs === undefined) return FOREVER;
    total += s.runMs;
    if (words[0] === 'exit' || s.exitCode !== 0) return { runMs: total, exitCode: s.exitCode };
  }
  return { runMs: total, exitCode: 0 };
}

export function simulate(command: string[]): SimulatedCommand {
  if (command.length === 0) return FOREVER;
  const base = command[0].split('/').pop();
  if ((base === 'sh' || base === 'bash' || base === 'ash') && command[1] === '-c' && command.length >= 3) return script(command[2]);
  const s = statement(command);
  return s ?? FOREVER;
}
