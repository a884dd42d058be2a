// upstream's DefaultNormalizeScore: scale so the best raw score becomes 100; `reverse`
// flips it so the lowest raw score wins (used for "fewer is better" counts).
import { MAX_NODE_SCORE, type NodeScore } from './interfaces.js';

export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, max = MAX_NODE_SCORE): void {
  let highest = 0;
  for (const s of scores) highest = Math.max(highest, s.score);
  if (highest === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    s.score = Math.trunc((max * s.score) / highest);
    if (reverse) s.score = max - s.score;
  }
}
