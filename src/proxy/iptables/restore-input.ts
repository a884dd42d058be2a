// Turns desired chains into one `iptables-restore --noflush` input. Declaring a chain
// (`:NAME - [0:0]`) flushes it, so only changed chains are declared and rewritten; chains
// that are no longer wanted are flushed and deleted (`-X`) in the same transaction.
import { isBlockChain, type PortRules, type RuleSet } from './render.js';

/** Chain → the rules written (the very arrays render() returned, compared by identity first). */
export type Written = { nat: Map<string, string[]>; filter: Map<string, string[]> };

export const emptyWritten = (): Written => ({ nat: new Map(), filter: new Map() });

/**
 * A listing of the whole table, written first in a full sync's table section. It is there for
 * iptables-nft (1.8.x) only: every command naming a chain adds that chain to a sorted linked
 * list of chains to fetch, walked from its head on each insert and lookup, so an input with
 * C chains and R rules costs R x C/2 string comparisons (110,000 chains x 430,000 rules at
 * 10,000 Services: hours). One command naming no chain makes it fetch the whole table instead
 * and skip that list for every later command; a listing is the only such command that changes
 * nothing. Its output (the table as it was) is discarded.
 */
export const LIST_ALL = '-S';

export interface RestorePlan {
  text: string;
  /** What the tables hold after this input is applied. */
  next: Written;
  changedChains: number;
  deletedChains: number;
}

/**
 * `previous` is what an earlier sync wrote (chain → rules text); `full` rewrites every
 * chain (first sync, after a failure, or periodically, as upstream does).
 */
export function restoreInput(want: RuleSet, previous: Written, existing: { nat: Set<string>; filter: Set<string> } | undefined, full: boolean): RestorePlan {
  const lines: string[] = [];
  const next = emptyWritten();
  let changedChains = 0;
  let deletedChains = 0;
  for (const table of ['filter', 'nat'] as const) {
    const declare: string[] = [];
    const rules: string[] = [];
    const del: string[] = [];
    const prev = previous[table];
    const kernel = existing?.[table];
    for (const [chain, list] of want[table]) {
      next[table].set(chain, list);
      if (!full && sameRules(prev.get(chain), list) && (!kernel || kernel.has(chain))) continue;
      changedChains++;
      declare.push(`:${chain} - [0:0]`);
      for (const r of list) rules.push(r);
    }
    // without a listing of the kernel (partial syncs), what earlier syncs wrote is what is there
    const stale = kernel ? new Set([...prev.keys(), ...kernel]) : prev.keys();
    for (const chain of stale) {
      if (want[table].has(chain)) continue;
      deletedChains++;
      declare.push(`:${chain} - [0:0]`);
      del.push(`-X ${chain}`);
    }
    if (declare.length === 0) continue;
    // loops, not spreads: at 10,000 Services these arrays exceed the call-stack argument limit
    lines.push(`*${table}`);
    if (full) lines.push(LIST_ALL);
    for (const part of [declare, rules, del]) for (const l of part) lines.push(l);
    lines.push('COMMIT');
  }
  return { text: lines.length ? lines.join('\n') + '\n' : '', next, changedChains, deletedChains };
}

function sameRules(a: string[] | undefined, b: string[]): boolean {
  if (a === b) return true;
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface PartialPlan {
  text: string;
  changedChains: number;
  deletedChains: number;
  /** Records the change in `written` once the restore succeeded. */
  commit(): void;
}

/**
 * A partial sync's input, touching only what changed: the shared chains whose rules differ,
 * and the own chains of Service ports whose rendering is not the very object of the last
 * sync (`before` and `after` map a port's id to its rules). Its cost follows the number of
 * Services only through pointer comparisons, so a one-Service change stays cheap at 10,000.
 */
export function partialInput(written: Written, before: Map<string, PortRules>, after: Map<string, PortRules>, shared: RuleSet): PartialPlan {
  const write = { nat: new Map<string, string[]>(), filter: new Map<string, string[]>() };
  const del = { nat: new Set<string>(), filter: new Set<string>() };
  for (const table of ['filter', 'nat'] as const) {
    for (const [chain, rules] of shared[table]) if (!sameRules(written[table].get(chain), rules)) write[table].set(chain, rules);
    // a block of KUBE-SERVICES whose last Service went away
    for (const chain of written[table].keys()) if (isBlockChain(chain) && !shared[table].has(chain)) del[table].add(chain);
  }
  const changed: PortRules[] = [];
  for (const [id, pr] of before) {
    if (after.get(id) === pr) continue;
    for (const [table, chain] of pr.own) del[table].add(chain);
  }
  for (const [id, pr] of after) if (before.get(id) !== pr) changed.push(pr);
  for (const pr of changed) {
    for (const [table, chain, rules] of pr.own) {
      del[table].delete(chain);
      if (!sameRules(written[table].get(chain), rules)) write[table].set(chain, rules);
    }
  }
  const lines: string[] = [];
  let changedChains = 0;
  let deletedChains = 0;
  for (const table of ['filter', 'nat'] as const) {
    if (write[table].size === 0 && del[table].size === 0) continue;
    lines.push(`*${table}`);
    for (const chain of write[table].keys()) lines.push(`:${chain} - [0:0]`);
    for (const chain of del[table]) lines.push(`:${chain} - [0:0]`);
    for (const rules of write[table].values()) for (const r of rules) lines.push(r);
    for (const chain of del[table]) lines.push(`-X ${chain}`);
    lines.push('COMMIT');
    changedChains += write[table].size;
    deletedChains += del[table].size;
  }
  return {
    text: lines.length ? lines.join('\n') + '\n' : '', changedChains, deletedChains,
    commit: () => {
      for (const table of ['filter', 'nat'] as const) {
        for (const [chain, rules] of write[table]) written[table].set(chain, rules);
        for (const chain of del[table]) written[table].delete(chain);
      }
    },
  };
}
