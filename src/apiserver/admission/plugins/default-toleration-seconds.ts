// DefaultTolerationSeconds: pods tolerate not-ready and unreachable nodes for 300 s unless
// they say otherwise — the five minutes before the node controller evicts them.
import { isPod, type PluginFactory } from '../plugin.js';

export const NAME = 'DefaultTolerationSeconds';
export const DEFAULT_SECONDS = 300;
const KEYS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

export const newDefaultTolerationSeconds: PluginFactory = () => ({
  name: NAME,
  async admit(a) {
    if (!isPod(a) || a.operation !== 'CREATE' || !a.object) return;
    const spec = (a.object.spec ??= {});
    const tolerations: any[] = spec.tolerations ?? [];
    for (const key of KEYS) {
      const has = tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
      if (!has) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_SECONDS });
    }
    spec.tolerations = tolerations;
  },
});
