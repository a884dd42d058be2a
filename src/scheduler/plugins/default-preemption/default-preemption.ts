// DefaultPreemption (PostFilter): when no node fits, find the node where evicting the
// fewest, least important lower-priority pods makes room (respecting PodDisruptionBudgets
// where it can), evict them, and nominate that node for the preemptor.
import type { Handle, PostFilterPlugin, PostFilterResult } from '../../framework/interfaces.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, SUCCESS, asError, unresolvable, unschedulable, type Status } from '../../framework/status.js';
import { fitErrorMessage } from '../../framework/fit-error.js';
import { pickCandidate, selectVictimsOnNode, type Candidate } from './victims.js';

export const Name = 'DefaultPreemption';
export const ErrReasonNotHelpful = 'Preemption is not helpful for scheduling';
export const ErrReasonNoVictims = 'No preemption victims found for incoming pod';
export const ErrReasonPolicyNever = 'not eligible due to preemptionPolicy=Never.';
export const ErrReasonTerminating = 'not eligible due to a terminating pod on the nominated node.';

export function New(_args: unknown, h: Handle) {
  return {
    name: Name,
    async postFilter(state: CycleState, pod: PodInfo, statuses: Map<string, Status>): Promise<{ status: Status; result?: PostFilterResult }> {
      if (pod.pod.spec?.preemptionPolicy === 'Never') return { status: unschedulable(`preemption: ${ErrReasonPolicyNever}`) };
      const nominated = pod.pod.status?.nominatedNodeName;
      if (nominated) {
        const ni = h.nodeInfo(nominated);
        if (ni?.pods.some((p) => p.priority < pod.priority && p.pod.metadata?.deletionTimestamp)) return { status: unschedulable(`preemption: ${ErrReasonTerminating}`) };
      }
      const all = h.nodeInfos();
      const perNode = new Map<string, Status>();
      const pdbs = h.listers.pdbs();
      const candidates: Candidate[] = [];
      for (const node of all) {
        const st = statuses.get(node.name);
        if (!st || st.code !== Code.Unschedulable) { perNode.set(node.name, unresolvable(ErrReasonNotHelpful)); continue; }
        const c = selectVictimsOnNode(h, state.clone(), pod, node.clone(), pdbs);
        if (c) candidates.push(c); else perNode.set(node.name, unschedulable(ErrReasonNoVictims));
      }
      const best = pickCandidate(candidates);
      if (!best) return { status: unschedulable(`preemption: ${fitErrorMessage(all.length, perNode)}`) };
      try {
        await Promise.all(best.victims.map(async (v) => {
          await h.client.deletePod(v.pod, `${h.schedulerName}: preempting to accommodate a higher priority pod`);
          h.event(v.pod, pod.pod, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${pod.uid} on node ${best.node}`);
        }));
        // Lower-priority pods nominated to the same node lose their nomination.
        for (const other of h.nominatedPodsForNode(best.node)) {
          if (other.priority < pod.priority) await h.client.setNominatedNode(other.pod, '');
        }
      } catch (err) {
        return { status: asError(err) };
      }
      return { status: SUCCESS, result: { nominatedNodeName: best.node } };
    },
  } satisfies PostFilterPlugin;
}

