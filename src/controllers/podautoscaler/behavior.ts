// autoscaling/v2 behavior: defaults, the stabilization window (a scale-down keeps the
// highest recommendation of the window, a scale-up the lowest) and the scaling policies
// that cap how far one period may move (upstream's normalizeDesiredReplicasWithBehaviors).
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2.js';

export interface Recommendation { at: number; replicas: number }
export interface ScaleEvent { at: number; change: number }

export function defaultBehavior(b: HorizontalPodAutoscalerBehavior | undefined, downscaleStabilizationS: number): Required<HorizontalPodAutoscalerBehavior> {
  const up: HPAScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }], ...(b?.scaleUp ?? {}) };
  const down: HPAScalingRules = { stabilizationWindowSeconds: downscaleStabilizationS, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], ...(b?.scaleDown ?? {}) };
  return { scaleUp: up, scaleDown: down };
}

/** The stabilized recommendation; `history` gets the new one and loses what is out of every window. */
export function stabilize(history: Recommendation[], desired: number, current: number, b: Required<HorizontalPodAutoscalerBehavior>, now: number): number {
  const upWin = (b.scaleUp.stabilizationWindowSeconds ?? 0) * 1000;
  const downWin = (b.scaleDown.stabilizationWindowSeconds ?? 0) * 1000;
  let upRec = desired; let downRec = desired;
  for (const r of history) {
    if (r.at > now - upWin) upRec = Math.min(upRec, r.replicas);
    if (r.at > now - downWin) downRec = Math.max(downRec, r.replicas);
  }
  history.push({ at: now, replicas: desired });
  const keep = Math.max(upWin, downWin);
  while (history.length && history[0].at <= now - keep) history.shift();
  if (upRec > current) return upRec;
  if (downRec < current) return downRec;
  return current;
}

function periodChange(events: ScaleEvent[], periodS: number, now: number, sign: 1 | -1): number {
  let n = 0;
  for (const e of events) if (e.at > now - periodS * 1000 && Math.sign(e.change) === sign) n += Math.abs(e.change);
  return n;
}

/** The largest replica count scale-up policies allow now. */
export function scaleUpLimit(current: number, events: ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let limit = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - periodChange(events, p.periodSeconds, now, 1);
    const l = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    limit = pick(limit, l);
  }
  return Number.isFinite(limit) ? limit : current;
}

/** The smallest replica count scale-down policies allow now. */
export function scaleDownLimit(current: number, events: ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let limit = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const start = current + periodChange(events, p.periodSeconds, now, -1);
    const l = p.type === 'Pods' ? start - p.value : Math.ceil(start * (1 - p.value / 100));
    limit = pick(limit, l);
  }
  return Number.isFinite(limit) ? limit : current;
}
