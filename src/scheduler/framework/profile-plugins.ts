// Turns a profile's `plugins` section into the ordered plugin list of each extension point,
// merging it over the defaults as upstream does: multiPoint first (defaults, minus
// disabled, plus enabled), then per-point sets whose enabled plugins run before the
// multiPoint ones and whose weights win.
import { DEFAULT_MULTI_POINT } from '../config/default-plugins.js';
import { EXTENSION_POINTS, type ExtensionPoint, type PluginRef, type PluginSet, type Plugins } from '../config/types.js';

/** Which method marks a plugin as implementing an extension point. */
export const POINT_METHOD: Record<ExtensionPoint, string> = {
  preEnqueue: 'preEnqueue', queueSort: 'less', preFilter: 'preFilter', filter: 'filter', postFilter: 'postFilter',
  preScore: 'preScore', score: 'score', reserve: 'reserve', permit: 'permit', preBind: 'preBind', bind: 'bind', postBind: 'postBind',
};

function merge(base: PluginRef[], set: PluginSet | undefined): PluginRef[] {
  if (!set) return base;
  const disabled = set.disabled ?? [];
  let out = disabled.some((d) => d.name === '*') ? [] : base.filter((b) => !disabled.some((d) => d.name === b.name));
  const enabled = set.enabled ?? [];
  out = out.map((b) => enabled.find((e) => e.name === b.name) ?? b);
  for (const e of enabled) if (!out.some((b) => b.name === e.name)) out.push(e);
  return out;
}

export interface ResolvedPlugins {
  /** Every plugin name that must be built. */
  names: Set<string>;
  /** For each point: plugins in run order, with weights for score. */
  points: Map<ExtensionPoint, PluginRef[]>;
}

/**
 * `implementsPoint(name, point)` answers from the built plugin; a plugin enabled explicitly
 * at a point it does not implement is an error, as upstream.
 */
export function resolvePlugins(plugins: Plugins | undefined, implementsPoint: (name: string, point: ExtensionPoint) => boolean, known: (name: string) => boolean): ResolvedPlugins {
  const multi = merge(DEFAULT_MULTI_POINT, plugins?.multiPoint).filter((p) => known(p.name));
  const points = new Map<ExtensionPoint, PluginRef[]>();
  const names = new Set<string>();
  for (const point of EXTENSION_POINTS) {
    const set = plugins?.[point];
    const specific = (set?.enabled ?? []).filter((p) => known(p.name));
    for (const p of specific) {
      if (!implementsPoint(p.name, point)) throw new Error(`plugin "${p.name}" does not extend ${point} plugin`);
    }
    const disabled = set?.disabled ?? [];
    const fromMulti = disabled.some((d) => d.name === '*') ? [] : multi.filter((m) => !disabled.some((d) => d.name === m.name) && implementsPoint(m.name, point));
    const list = [...specific, ...fromMulti.filter((m) => !specific.some((s) => s.name === m.name))];
    points.set(point, list);
    list.forEach((p) => names.add(p.name));
  }
  return { names, points };
}
