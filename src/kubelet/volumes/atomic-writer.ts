// Writes a configMap/secret/downwardAPI/projected volume the way upstream's AtomicWriter
// does, so that a running container sees the new files all at once when they change: the
// files live in a hidden timestamped directory, `..data` points at it, and each top-level
// name in the volume is a symlink through `..data`. An update writes a new directory and
// swaps `..data` with a rename; the volume directory itself never goes away, so a bind mount
// of it (containerd) or a symlink to it (host-process) keeps seeing the current files.
import fs from 'node:fs';
import path from 'node:path';

/** Relative path → content; `mtimeMs` keeps a reused file's age (a token's issue time). */
export type Files = Map<string, { data: Buffer; mode?: number; mtimeMs?: number }>;

const DATA = '..data';

/** The files the volume shows now (relative path → content), or undefined if not written atomically yet. */
function current(dir: string): Map<string, { data: Buffer; mode: number }> | undefined {
  let target: string;
  try { target = path.join(dir, fs.readlinkSync(path.join(dir, DATA))); } catch { return undefined; }
  const out = new Map<string, { data: Buffer; mode: number }>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(target, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.set(r, { data: fs.readFileSync(path.join(target, r)), mode: fs.statSync(path.join(target, r)).mode & 0o777 });
    }
  };
  walk('');
  return out;
}

function same(a: Map<string, { data: Buffer; mode: number }>, b: Files, defaultMode: number): boolean {
  if (a.size !== b.size) return false;
  for (const [k, f] of b) {
    const x = a.get(k);
    if (!x || x.mode !== (f.mode ?? defaultMode) || !x.data.equals(f.data)) return false;
  }
  return true;
}

/** Upstream's name for a payload directory: `..2006_01_02_15_04_05.` plus a unique suffix. */
function payloadName(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.${process.hrtime.bigint() % 1_000_000_000n}`;
}

/** Makes the volume show exactly `files`; returns false when it already did (nothing written). */
export function writeAtomically(dir: string, files: Files, defaultMode = 0o644): boolean {
  const now = current(dir);
  if (now && same(now, files, defaultMode)) return false;
  if (!now) fs.rmSync(dir, { recursive: true, force: true }); // first write (or an older plain layout)
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const rel of files.keys()) {
    const p = path.join(dir, rel);
    if (!p.startsWith(dir + path.sep) || rel.split('/').some((s) => s.startsWith('..'))) throw new Error(`invalid volume path ${JSON.stringify(rel)}`);
  }
  const payload = payloadName();
  fs.mkdirSync(path.join(dir, payload));
  for (const [rel, f] of files) {
    const p = path.join(dir, payload, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, f.data, { mode: f.mode ?? defaultMode });
    fs.chmodSync(p, f.mode ?? defaultMode); // the umask must not change what the pod asked for
    if (f.mtimeMs) fs.utimesSync(p, new Date(), new Date(f.mtimeMs));
  }
  const old = now ? fs.readlinkSync(path.join(dir, DATA)) : undefined;
  fs.rmSync(path.join(dir, `${DATA}_tmp`), { force: true });
  fs.symlinkSync(payload, path.join(dir, `${DATA}_tmp`));
  fs.renameSync(path.join(dir, `${DATA}_tmp`), path.join(dir, DATA));
  const top = new Set([...files.keys()].map((rel) => rel.split('/')[0]));
  for (const name of top) {
    if (!fs.lstatSync(path.join(dir, name), { throwIfNoEntry: false })) fs.symlinkSync(path.join(DATA, name), path.join(dir, name));
  }
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith('..') && !top.has(name)) fs.rmSync(path.join(dir, name), { force: true });
  }
  if (old && old !== payload) fs.rmSync(path.join(dir, old), { recursive: true, force: true });
  return true;
}

/** When the file at `rel` was last written (for token rotation), if the volume has it. */
export function writtenAt(dir: string, rel: string): { data: Buffer; mtimeMs: number } | undefined {
  try {
    const p = path.join(dir, DATA, rel);
    return { data: fs.readFileSync(p), mtimeMs: fs.statSync(p).mtimeMs };
  } catch {
    return undefined;
  }
}
