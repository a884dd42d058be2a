// Runs the iptables tools: one `iptables-restore --noflush` per sync, `-C`/`-I` for the
// handful of jumps from built-in chains, `iptables-save` to find leftover chains. A
// command prefix (e.g. `ip netns exec NS`) lets tests and per-node namespaces program
// another network namespace.
import { runTool, warmToolRunner } from '../tool-runner.js';
import { isOwnChain, JUMPS } from './render.js';
import { LIST_ALL } from './restore-input.js';

export class Iptables {
  constructor(readonly prefix: string[] = [], readonly bin = 'iptables') { warmToolRunner(); }

  run(args: string[], input?: string, quiet = false): Promise<{ code: number; stdout: string; stderr: string }> {
    return runTool([...this.prefix, ...args], { input, stdout: !quiet });
  }

  async must(args: string[], input?: string, quiet = false): Promise<string> {
    const r = await this.run(args, input, quiet);
    if (r.code !== 0) throw new Error(`${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Applies one restore input; what it prints (a full sync lists the table) is dropped. */
  async restore(text: string): Promise<void> {
    await this.must([`${this.bin}-restore`, '--noflush'], text, true);
  }

  /** The KUBE-* chains present now, per table. */
  async ownChains(): Promise<{ nat: Set<string>; filter: Set<string> }> {
    const out = { nat: new Set<string>(), filter: new Set<string>() };
    for (const table of ['nat', 'filter'] as const) {
      const text = await this.must([`${this.bin}-save`, '-t', table]);
      for (const line of text.split('\n')) {
        const m = /^:(\S+) /.exec(line);
        if (m && isOwnChain(m[1])) out[table].add(m[1]);
      }
    }
    return out;
  }

  /** Makes sure base chains exist and built-in chains jump into them (idempotent). */
  async ensureJumps(): Promise<void> {
    for (const j of JUMPS) {
      const target = j.args[j.args.length - 1];
      await this.run([this.bin, '-w', '-t', j.table, '-N', target]);
      const check = await this.run([this.bin, '-w', '-t', j.table, '-C', j.chain, ...j.args]);
      if (check.code !== 0) await this.must([this.bin, '-w', '-t', j.table, '-I', j.chain, '1', ...j.args]);
    }
  }

  /** `--cleanup`: removes every jump and chain kube-proxy made. */
  async cleanup(): Promise<number> {
    for (const j of JUMPS) {
      while ((await this.run([this.bin, '-w', '-t', j.table, '-D', j.chain, ...j.args])).code === 0) { /* remove duplicates too */ }
    }
    const chains = await this.ownChains();
    const lines: string[] = [];
    let n = 0;
    for (const table of ['filter', 'nat'] as const) {
      if (chains[table].size === 0) continue;
      lines.push(`*${table}`, LIST_ALL);
      for (const c of chains[table]) lines.push(`:${c} - [0:0]`);
      for (const c of chains[table]) lines.push(`-X ${c}`);
      lines.push('COMMIT');
      n += chains[table].size;
    }
    if (lines.length) await this.restore(lines.join('\n') + '\n');
    return n;
  }
}
