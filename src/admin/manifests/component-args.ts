// A component's flags as ordered name → value pairs rendered `--name=value`, so defaults,
// pass-through overrides (`--kube-apiserver-arg name=value`, as k3s does) and the filter
// for flags a component does not know yet all work on names.
export type Args = [string, string][];

/** Replaces flags by name, appending new ones, in the order given. */
export function overrideArgs(base: Args, overrides: Args): Args {
  const out = base.map(([k, v]): [string, string] => [k, v]);
  for (const [k, v] of overrides) {
    const i = out.findIndex(([n]) => n === k);
    if (i >= 0) out[i] = [k, v];
    else out.push([k, v]);
  }
  return out;
}

/** `name=value` (or `--name=value`, or a bare `name` meaning true) as one pass-through arg. */
export function parsePassThrough(flag: string, text: string): [string, string] {
  const m = /^(?:--)?([A-Za-z0-9][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(text.trim());
  if (!m) throw new Error(`${flag} ${JSON.stringify(text)}: want name=value, e.g. ${flag} v=2`);
  return [m[1], m[2] ?? 'true'];
}

/** How each flag of a component takes its value (from its --help); see up/tskube-command.ts. */
export type KnownFlags = Map<string, 'value' | 'optional' | 'switch'>;

/** Drops flags the component's CLI does not list, reporting each; user overrides are never dropped. */
export function knownArgs(args: Args, known: KnownFlags | undefined, keep: Set<string>, dropped: (flag: string) => void): Args {
  if (!known) return args;
  return args.filter(([k]) => {
    if (known.has(k) || keep.has(k)) return true;
    dropped(k);
    return false;
  });
}

/** `--name=value`; a bare switch is `--name` when true and left out when false. */
export function renderArgs(args: Args, known?: KnownFlags): string[] {
  return args.flatMap(([k, v]) => {
    if (known?.get(k) !== 'switch') return [`--${k}=${v}`];
    return v === 'false' ? [] : [`--${k}`];
  });
}
