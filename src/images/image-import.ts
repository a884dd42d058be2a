// Puts an image archive (OCI layout tar or docker archive) into a containerd's k8s.io
// namespace, where the CRI plugin sees it, like `kind load`. Uses containerd's own `ctr`
// (shipped with Debian's containerd package), unpacking for the node's snapshotter.
import { execFile } from 'node:child_process';
import fs from 'node:fs';

export const CRI_NAMESPACE = 'k8s.io';

export interface ImportOptions {
  /** containerd's socket path (or unix:// URL). */
  address: string;
  snapshotter?: string;
  ctr?: string;
  namespace?: string;
}

/** Imports FILE and returns the image names ctr reports. */
export function importImageArchive(file: string, o: ImportOptions): Promise<string[]> {
  if (!fs.existsSync(file)) return Promise.reject(new Error(`image archive ${file}: no such file`));
  const address = o.address.replace(/^unix:\/\//, '');
  if (!fs.existsSync(address)) return Promise.reject(new Error(`containerd socket ${address}: no such file (is containerd running?)`));
  const args = ['--address', address, '--namespace', o.namespace ?? CRI_NAMESPACE, 'images', 'import'];
  if (o.snapshotter) args.push('--snapshotter', o.snapshotter);
  args.push(file);
  return new Promise((resolve, reject) => {
    execFile(o.ctr ?? 'ctr', args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`ctr images import ${file}: ${(stderr || err.message).trim()}`));
        return;
      }
      // ctr prints "unpacking NAME (sha256:…)...done" per image
      const names = [...stdout.matchAll(/unpacking (\S+) \(/g)].map((m) => m[1]);
      resolve(names);
    });
  });
}
