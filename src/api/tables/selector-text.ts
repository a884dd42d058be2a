// metav1.FormatLabelSelector as kubectl prints selectors: "a=b,c in (d,e),!f", or <none>.
export function labelSelectorText(sel: any): string {
  if (!sel) return '<none>';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const op = String(e.operator ?? '');
    if (op === 'Exists') parts.push(e.key);
    else if (op === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op.toLowerCase() === 'notin' ? 'notin' : 'in'} (${(e.values ?? []).join(',')})`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

/** A plain map selector (ReplicationController, nodeSelector) as "k=v,k2=v2". */
export const mapText = (m: Record<string, string> | undefined, none = '<none>') =>
  Object.keys(m ?? {}).length ? Object.keys(m!).sort().map((k) => `${k}=${m![k]}`).join(',') : none;

export const templateContainers = (tpl: any) => (tpl?.spec?.containers ?? []).map((c: any) => c.name).join(',');
export const templateImages = (tpl: any) => (tpl?.spec?.containers ?? []).map((c: any) => c.image).join(',');
