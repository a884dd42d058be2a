// Every certificate `tskube up` writes: the PKI tree, the kubeconfigs (the control plane's and
// one per worker kubelet) and each kubelet's serving certificate. Plain data in and out, so it
// can run on a worker thread (cluster-certs-worker.ts): a fresh cluster's X.509 library, its
// ASN.1 schemas and WebCrypto's buffers then go away with the thread instead of staying in
// `up`'s memory for the cluster's life (~13 MiB; bench/README.md, up-bench).
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { controlPlaneKubeconfigs, kubeletKubeconfig } from '../kubeconfig/kubeconfig-specs.js';
import { ensureKubeconfig, type KubeconfigAction, type KubeconfigTarget } from '../kubeconfig/ensure-kubeconfig.js';
import type { PkiOptions } from '../pki/cert-specs.js';
import { allInOrder, ensurePki, type PkiStep } from '../pki/ensure-pki.js';
import { ensureKubeletServingCert } from '../pki/kubelet-serving.js';

export interface ClusterCertsInput {
  pki: PkiOptions;
  clusterName: string;
  /** Where the control plane's kubeconfigs go. */
  dataDir: string;
  controlPlane: string;
  /** The API server's URL for the control plane, and for the workers. */
  server: string;
  workerServer: string;
  /** Nodes in order, the control plane first: its dir (a worker's kubeconfig) and kubelet PKI dir. */
  nodes: { name: string; dir: string; pkiDir: string; ips: string[] }[];
}

export interface ClusterCertsResult {
  steps: PkiStep[];
  kubeconfigs: { file: string; action: KubeconfigAction }[];
  /** Serving certificates made (not kept). */
  servingCreated: string[];
}

export async function writeClusterCerts(i: ClusterCertsInput): Promise<ClusterCertsResult> {
  const pki = await ensurePki(i.pki);
  const target: KubeconfigTarget = { clusterName: i.clusterName, server: i.server, ca: pki.cas.ca };
  const workerTarget: KubeconfigTarget = { ...target, server: i.workerServer };
  const workers = i.nodes.slice(1);
  for (const n of workers) fs.mkdirSync(n.dir, { recursive: true });
  // every kubeconfig's and kubelet's certificate at once (keys and signatures on the thread pool)
  const cpSpecs = controlPlaneKubeconfigs(i.controlPlane);
  const [cpActions, , serving] = await Promise.all([
    allInOrder(cpSpecs.map((spec) => ensureKubeconfig(i.dataDir, spec, target))),
    allInOrder(workers.map((n) => ensureKubeconfig(n.dir, kubeletKubeconfig(n.name), workerTarget))),
    allInOrder(i.nodes.map((n) => ensureKubeletServingCert(pki.cas.ca, n.pkiDir, n.name, n.ips))),
  ]);
  return {
    steps: pki.steps,
    kubeconfigs: cpSpecs.map((spec, k) => ({ file: path.join(i.dataDir, spec.file), action: cpActions[k] })),
    servingCreated: serving.filter((s) => s.created).map((s) => s.paths.cert),
  };
}

/** writeClusterCerts on a worker thread, which ends (and frees its memory) when done. */
export function writeClusterCertsOffThread(i: ClusterCertsInput): Promise<ClusterCertsResult> {
  return new Promise((resolve, reject) => {
    // beside this module: dist/src/admin/up/ from tsc, dist/bundle/ from the bundle (its own entry)
    const w = new Worker(new URL('./cluster-certs-worker.js', import.meta.url), { workerData: i });
    w.once('message', (m: { result?: ClusterCertsResult; error?: string }) => (m.error !== undefined ? reject(new Error(m.error)) : resolve(m.result!)));
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`the certificate worker thread exited (code ${code}) without an answer`)));
  });
}
