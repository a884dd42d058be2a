// Paths as a pod's container sees them, for tskube commands running in a host-process pod.
// The host-process runtime cannot put volumes at their mountPath; like Windows HostProcess
// containers it puts them under $CONTAINER_SANDBOX_MOUNT_POINT. So an absolute path that does
// not exist on the host but does under the mount point (a ConfigMap's config file, the
// service account's token and CA named in a kubeconfig) is read from there. In a real
// container the variable is unset and paths are used as given.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseKubeconfig } from '../client/kubeconfig.js';
import type { ClientConfig } from '../client/index.js';
import { loadKubeconfig } from '../client/kubeconfig.js';

export function inSandbox(p: string, env: NodeJS.ProcessEnv = process.env): string {
  const mp = env.CONTAINER_SANDBOX_MOUNT_POINT;
  if (!mp || !path.isAbsolute(p) || fs.existsSync(p)) return p;
  const inside = path.join(mp, p);
  return fs.existsSync(inside) ? inside : p;
}

type Section = Record<string, unknown>;

/** loadKubeconfig, with the file and the files it names looked up in the sandbox. */
export function loadSandboxedKubeconfig(file?: string, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  if (!file || !env.CONTAINER_SANDBOX_MOUNT_POINT) return loadKubeconfig(file);
  const real = inSandbox(file, env);
  let doc: { clusters?: { cluster?: Section }[]; users?: { user?: Section }[] };
  try {
    doc = (YAML.parse(fs.readFileSync(real, 'utf8'), { version: '1.1' }) ?? {}) as typeof doc;
  } catch {
    return loadKubeconfig(real);
  }
  const fix = (s: Section | undefined, key: string): void => {
    if (s && typeof s[key] === 'string') s[key] = inSandbox(s[key] as string, env);
  };
  for (const c of doc.clusters ?? []) fix(c.cluster, 'certificate-authority');
  for (const u of doc.users ?? []) for (const k of ['tokenFile', 'client-certificate', 'client-key']) fix(u.user, k);
  return parseKubeconfig(YAML.stringify(doc), real);
}
