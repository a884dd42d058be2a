// Each node's kubelet serving certificate, signed by the cluster CA (as a kubelet gets one
// with serverTLSBootstrap), so the API server can verify kubelets with
// --kubelet-certificate-authority. CN system:node:NAME, O system:nodes, SANs the node's
// name, localhost and its IPs. A pair that is missing, expired, from another CA or for
// other names is made again.
import fs from 'node:fs';
import { type PairPaths, pairPaths, writeCert, writeKey } from './cert-files.js';
import { checkExistingPair } from './existing.js';
import { issueLeaf } from './issue.js';
import type { Signer } from './signer.js';

export async function ensureKubeletServingCert(ca: Signer, dir: string, nodeName: string, ips: string[]): Promise<{ paths: PairPaths; created: boolean }> {
  const paths = pairPaths(dir, 'kubelet-serving');
  const sans = { dns: [nodeName, 'localhost'], ips };
  if (fs.existsSync(paths.cert) && fs.existsSync(paths.key)) {
    try {
      checkExistingPair(paths.cert, paths.key, { ca: ca.cert, wantSANs: sans });
      return { paths, created: false };
    } catch { /* made again below */ }
  }
  fs.mkdirSync(dir, { recursive: true });
  const made = await issueLeaf(ca, { cn: `system:node:${nodeName}`, orgs: ['system:nodes'], usages: ['server'], sans });
  writeKey(paths.key, made.keyPem);
  writeCert(paths.cert, made.certPem);
  return { paths, created: true };
}
