// The JSONPath subset additionalPrinterColumns use: .a.b, ["key"], [N], [*] and
// [?(@.field=="value")] filters. Returns every match, in order.
type Step = { field: string } | { index: number } | { all: true } | { filter: string[]; value: string };

function parse(path: string): Step[] {
  const steps: Step[] = [];
  let i = path.startsWith('{') ? 1 : 0;
  const end = path.endsWith('}') ? path.length - 1 : path.length;
  while (i < end) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < end && path[j] !== '.' && path[j] !== '[') j++;
      if (j > i + 1) steps.push({ field: path.slice(i + 1, j) });
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) throw new Error(`unterminated [ in ${path}`);
      const inner = path.slice(i + 1, close).trim();
      const filter = /^\?\(@((?:\.[\w-]+)+)\s*==\s*["']([^"']*)["']\)$/.exec(inner);
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (filter) steps.push({ filter: filter[1].slice(1).split('.'), value: filter[2] });
      else steps.push({ field: inner.replace(/^['"]|['"]$/g, '') });
      i = close + 1;
    } else {
      let j = i;
      while (j < end && path[j] !== '.' && path[j] !== '[') j++;
      steps.push({ field: path.slice(i, j) });
      i = j;
    }
  }
  return steps;
}

export function evalJsonPath(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of parse(path)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || v === undefined) continue;
      if ('field' in s) { const x = (v as Record<string, unknown>)[s.field]; if (x !== undefined) next.push(x); } else if ('index' in s) {
        if (Array.isArray(v)) { const x = v[s.index < 0 ? v.length + s.index : s.index]; if (x !== undefined) next.push(x); }
      } else if ('all' in s) {
        next.push(...(Array.isArray(v) ? v : typeof v === 'object' ? Object.values(v as object) : []));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: unknown = item;
          for (const f of s.filter) x = (x as Record<string, unknown> | undefined)?.[f];
          if (String(x) === s.value) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
