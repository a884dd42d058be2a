// ImageLocality: prefers nodes that already hold the pod's images, weighted by image size
// and damped by how many nodes have them (so one popular image does not pull everything
// onto the same few nodes).
import type { Handle, PreScorePlugin, ScorePlugin } from '../../framework/interfaces.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { normalizedImageName } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { SKIP, SUCCESS, type Status } from '../../framework/status.js';

export const Name = 'ImageLocality';
const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const key = `PreScore${Name}`;

class Spread implements StateData {
  constructor(readonly images: string[], readonly nodesWithImage: Map<string, number>, readonly totalNodes: number) {}
  clone(): StateData { return this; }
}

export function imageScore(sum: number, containers: number): number {
  const max = MAX_CONTAINER_THRESHOLD * containers;
  const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
  return Math.trunc((100 * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
}

export function New(_args: unknown, h: Handle) {
  return {
    name: Name,
    preScore(state: CycleState, pod: PodInfo): Status {
      const spec = pod.pod.spec;
      const images = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => normalizedImageName(c.image ?? ''));
      const counts = new Map<string, number>();
      for (const img of new Set(images)) counts.set(img, h.nodesWithImage(img));
      // No node holds any of the images: every score would be 0, so skip Score.
      if ([...counts.values()].every((n) => n === 0)) return SKIP;
      state.write(key, new Spread(images, counts, h.nodeInfos().length));
      return SUCCESS;
    },
    score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
      const s = state.read<Spread>(key);
      if (!s || s.totalNodes === 0 || s.images.length === 0) return 0;
      let sum = 0;
      for (const img of s.images) {
        const size = node.images.get(img);
        if (size !== undefined) sum += size * ((s.nodesWithImage.get(img) ?? 0) / s.totalNodes);
      }
      return imageScore(sum, s.images.length);
    },
  } satisfies PreScorePlugin & ScorePlugin;
}
