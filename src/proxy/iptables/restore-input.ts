// Turns desired chains into one `iptables-restore --noflush` input. Declaring a chain
// (`:NAME - [0:0]`) flushes it, so only changed chains are declared and rewritten; chains
// that are no longer wanted are flushed and deleted (`-X`) in the same transaction.
import type { RuleSet } from './render.js';

export type Written = { nat: Map<string, string>; filter: Map<string, string> };

export const emptyWritten = (): Written => ({ nat: new Map(), filter: new Map() });

export interface RestorePlan {
  text: string;
  /** What the tables hold after this input is applied (chain → joined rules). */
  next: Written;
  changedChains: number;
  deletedChains: number;
}

/**
 * `previous` is what an earlier sync wrote (chain → rules text); `full` rewrites every
 * chain (first sync, after a failure, or periodically, as upstream does).
 */
export function restoreInput(want: RuleSet, previous: Written, existing: { nat: Set<string>; filter: Set<string> }, full: boolean): RestorePlan {
  const lines: string[] = [];
  const next = emptyWritten();
  let changedChains = 0;
  let deletedChains = 0;
  for (const table of ['filter', 'nat'] as const) {
    const declare: string[] = [];
    const rules: string[] = [];
    const del: string[] = [];
    for (const [chain, list] of want[table]) {
      const body = list.join('\n');
      next[table].set(chain, body);
      if (!full && previous[table].get(chain) === body && existing[table].has(chain)) continue;
      changedChains++;
      declare.push(`:${chain} - [0:0]`);
      rules.push(...list);
    }
    const stale = new Set([...previous[table].keys(), ...existing[table]]);
    for (const chain of stale) {
      if (want[table].has(chain)) continue;
      deletedChains++;
      declare.push(`:${chain} - [0:0]`);
      del.push(`-X ${chain}`);
    }
    if (declare.length === 0) continue;
    // loops, not spreads: at 10,000 Services these arrays exceed the call-stack argument limit
    lines.push(`*${table}`);
    for (const part of [declare, rules, del]) for (const l of part) lines.push(l);
    lines.push('COMMIT');
  }
  return { text: lines.length ? lines.join('\n') + '\n' : '', next, changedChains, deletedChains };
}
