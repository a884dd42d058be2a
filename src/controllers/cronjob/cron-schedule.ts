// Standard cron schedules (robfig/cron's standard parser, as upstream uses): five fields
// minute hour day-of-month month day-of-week with *, lists, ranges, steps, month and day
// names, and the @yearly/@monthly/@weekly/@daily/@hourly descriptors; evaluated in an IANA
// time zone (spec.timeZone) through Intl, minute by minute with day and hour skipping.
const FIELDS = [
  { min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const DESCRIPTORS: Record<string, string> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };

export interface Schedule { sets: Set<number>[]; domStar: boolean; dowStar: boolean; tz?: string }

function parseField(text: string, i: number): Set<number> {
  const f = FIELDS[i];
  const out = new Set<number>();
  const val = (s: string) => {
    const n = f.names?.indexOf(s.toLowerCase()) ?? -1;
    const v = n >= 0 ? n + f.min : Number(s);
    if (!/^\d+$/.test(s) && n < 0) throw new Error(`failed to parse int from ${s}`);
    return v;
  };
  for (const part of text.split(',')) {
    const [range, stepS] = part.split('/');
    const step = stepS === undefined ? 1 : Number(stepS);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`bad step in "${part}"`);
    let lo: number; let hi: number;
    if (range === '*' || range === '?') { lo = f.min; hi = f.max; } else if (range.includes('-')) { const [a, b] = range.split('-'); lo = val(a); hi = val(b); } else { lo = val(range); hi = stepS === undefined ? lo : f.max; }
    if (i === 4 && hi === 7) { out.add(0); hi = 6; if (lo === 7) continue; } // 7 is Sunday too
    if (lo < f.min || hi > f.max || lo > hi) throw new Error(`end of range (${hi}) above maximum (${f.max}): ${part}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseSchedule(spec: string, tz?: string): Schedule {
  let s = spec.trim();
  if (/^(CRON_)?TZ=/.test(s)) throw new Error('CRON_TZ or TZ used in schedule is not supported, use the spec.timeZone field instead');
  s = DESCRIPTORS[s] ?? s;
  if (s.startsWith('@every ')) throw new Error('@every is not supported');
  const parts = s.split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: ${spec}`);
  if (tz) new Intl.DateTimeFormat('en-US', { timeZone: tz }); // throws RangeError on an unknown zone
  return { sets: parts.map(parseField), domStar: parts[2] === '*' || parts[2] === '?', dowStar: parts[4] === '*' || parts[4] === '?', tz };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function fields(t: number, tz = 'UTC'): { mi: number; h: number; d: number; mo: number; dow: number } {
  let f = formatters.get(tz);
  if (!f) formatters.set(tz, (f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short' })));
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return { mi: Number(p.minute), h: Number(p.hour), d: Number(p.day), mo: Number(p.month), dow: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday) };
}

function dayMatches(s: Schedule, x: ReturnType<typeof fields>): boolean {
  const dom = s.sets[2].has(x.d); const dow = s.sets[4].has(x.dow);
  // cron: when both day fields are restricted, either may match
  if (!s.domStar && !s.dowStar) return dom || dow;
  return dom && dow && s.sets[3].has(x.mo);
}

/** The first scheduled time strictly after `t` (ms), or undefined within ~5 years. */
export function nextAfter(s: Schedule, t: number): number | undefined {
  let c = Math.floor(t / 60_000) * 60_000 + 60_000;
  const limit = t + 5 * 366 * 86_400_000;
  while (c < limit) {
    const x = fields(c, s.tz);
    if (!s.sets[3].has(x.mo) || !dayMatches(s, x)) { c += ((23 - x.h) * 60 + (60 - x.mi)) * 60_000; continue; }
    if (!s.sets[1].has(x.h)) { c += (60 - x.mi) * 60_000; continue; }
    if (!s.sets[0].has(x.mi)) { c += 60_000; continue; }
    return c;
  }
  return undefined;
}
