// Reading and writing one key pair on disk: NAME.crt (0644) and NAME.key (0600, never
// world-readable), written atomically so a crash never leaves half a key behind.
import fs from 'node:fs';
import path from 'node:path';

export interface PairPaths { cert: string; key: string }

export const pairPaths = (certDir: string, base: string): PairPaths => ({
  cert: path.join(certDir, `${base}.crt`),
  key: path.join(certDir, `${base}.key`),
});

export function writeFileAtomic(file: string, text: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode });
  fs.chmodSync(tmp, mode); // the umask may have taken bits away, never added: set exactly
  fs.renameSync(tmp, file);
}

export const writeKey = (file: string, pem: string): void => writeFileAtomic(file, pem, 0o600);
export const writeCert = (file: string, pem: string): void => writeFileAtomic(file, pem, 0o644);

/** A key file readable by group or others is tightened, as kubeadm's files never are. */
export function tightenKeyMode(file: string): void {
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) fs.chmodSync(file, 0o600);
}
