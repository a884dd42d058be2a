// What a directory occupies on disk, as upstream's volume metrics measure it (du's way: the
// allocated blocks of every file and directory, symlinks not followed); 0 when it is missing.
import fs from 'node:fs';
import path from 'node:path';

export async function diskUsage(p: string): Promise<number> {
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(p);
  } catch {
    return 0;
  }
  let total = st.blocks * 512;
  if (!st.isDirectory()) return total;
  let names: string[];
  try {
    names = await fs.promises.readdir(p);
  } catch {
    return total;
  }
  for (const n of names) total += await diskUsage(path.join(p, n));
  return total;
}
