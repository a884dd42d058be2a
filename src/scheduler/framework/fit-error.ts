// The FailedScheduling message: "0/4 nodes are available: 1 node(s) had untolerated taint
// {dedicated: gpu}, 3 Insufficient cpu." — each reason counted over nodes, sorted, with
// PreFilter's and PostFilter's messages where upstream puts them.
import type { Status } from './status.js';

export function fitErrorMessage(numNodes: number, statuses: Map<string, Status>, opts: { preFilterMsg?: string; postFilterMsg?: string } = {}): string {
  let msg = `0/${numNodes} nodes are available:`;
  if (opts.preFilterMsg) msg += ` ${opts.preFilterMsg}.`;
  // Count per Status object first (plugins share them across nodes), then per reason.
  const perStatus = new Map<Status, number>();
  for (const st of statuses.values()) perStatus.set(st, (perStatus.get(st) ?? 0) + 1);
  const counts = new Map<string, number>();
  for (const [st, n] of perStatus) for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + n);
  if (counts.size) {
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
    msg += ` ${parts.join(', ')}.`;
  }
  if (opts.postFilterMsg) msg += ` ${opts.postFilterMsg}`;
  return msg;
}
