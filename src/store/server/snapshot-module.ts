// Finds the lead's snapshot functions (src/store/snapshot/) by export name, so the server
// and CLI do not depend on how that folder splits them into files.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KVStore } from '../kv-store.js';

export interface SnapshotModule {
  snapshotStream(store: KVStore): { size: number; chunks: AsyncIterable<Buffer> };
  restoreSnapshot(file: string, dataDir: string): Promise<unknown>;
  snapshotStatus(file: string): Promise<SnapshotStatus> | SnapshotStatus;
}

export interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

let loaded: Partial<SnapshotModule> | undefined;

export async function snapshotModule(): Promise<Partial<SnapshotModule>> {
  if (loaded) return loaded;
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'snapshot');
  const found: Record<string, unknown> = {};
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  } catch {
    files = [];
  }
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as Record<string, unknown>;
    for (const name of ['snapshotStream', 'restoreSnapshot', 'snapshotStatus']) {
      if (typeof mod[name] === 'function') found[name] = mod[name];
    }
  }
  loaded = found as Partial<SnapshotModule>;
  return loaded;
}
