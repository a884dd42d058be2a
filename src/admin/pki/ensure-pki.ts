// The whole certificate tree under one directory, as `kubeadm init phase certs all` makes
// it: existing valid files are kept, missing ones made, faulty ones reported (see existing.ts).
import fs from 'node:fs';
import { CA_SPECS, certSpecs, type CAName, type PkiOptions } from './cert-specs.js';
import { pairPaths, tightenKeyMode, writeCert, writeKey } from './cert-files.js';
import { checkExistingPair, PkiFileError } from './existing.js';
import { issueCA, issueLeaf } from './issue.js';
import { ensureServiceAccountKeys, type Action } from './service-account-keys.js';
import { importSigner, type Signer } from './signer.js';

export interface PkiStep { name: string; file: string; action: Action }
export interface Pki { cas: Record<CAName, Signer>; steps: PkiStep[] }

async function ensureCA(certDir: string, name: CAName, base: string, cn: string, steps: PkiStep[]): Promise<Signer> {
  const p = pairPaths(certDir, base);
  const haveCert = fs.existsSync(p.cert);
  const haveKey = fs.existsSync(p.key);
  if (haveCert && haveKey) {
    checkExistingPair(p.cert, p.key, { isCA: true });
    tightenKeyMode(p.key);
    steps.push({ name, file: p.cert, action: 'kept' });
  } else if (haveCert || haveKey) {
    const [has, lacks] = haveCert ? [p.cert, p.key] : [p.key, p.cert];
    throw new PkiFileError(has, `exists without ${lacks}; tskube cannot sign with an external CA yet — supply both files or neither`);
  } else {
    const made = await issueCA(cn);
    writeKey(p.key, made.keyPem);
    writeCert(p.cert, made.certPem);
    steps.push({ name, file: p.cert, action: 'created' });
  }
  return importSigner(fs.readFileSync(p.cert, 'utf8'), fs.readFileSync(p.key, 'utf8'), p.key);
}

/** Like Promise.all, but the error reported is the first in list order (as if made one by one). */
export async function allInOrder<T>(work: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

async function ensureLeaf(certDir: string, spec: ReturnType<typeof certSpecs>[number], ca: Signer): Promise<PkiStep> {
  const p = pairPaths(certDir, spec.base);
  if (fs.existsSync(p.cert) || fs.existsSync(p.key)) {
    if (!fs.existsSync(p.cert) || !fs.existsSync(p.key)) {
      const [has, lacks] = fs.existsSync(p.cert) ? [p.cert, p.key] : [p.key, p.cert];
      throw new PkiFileError(has, `exists without ${lacks}; remove it to have a new pair made`);
    }
    checkExistingPair(p.cert, p.key, { ca: ca.cert, wantSANs: spec.sans });
    tightenKeyMode(p.key);
    return { name: spec.name, file: p.cert, action: 'kept' };
  }
  const made = await issueLeaf(ca, spec);
  writeKey(p.key, made.keyPem);
  writeCert(p.cert, made.certPem);
  return { name: spec.name, file: p.cert, action: 'created' };
}

export async function ensurePki(o: PkiOptions): Promise<Pki> {
  fs.mkdirSync(o.certDir, { recursive: true, mode: 0o755 });
  // made on the thread pool while the certificates are made
  const sa = ensureServiceAccountKeys(o.certDir);
  sa.catch(() => undefined); // reported below, after any certificate's error
  // Keys are generated and certificates signed on the thread pool (WebCrypto): the CAs at
  // once, then every leaf at once, instead of one after another.
  const caSteps: PkiStep[][] = CA_SPECS.map(() => []);
  const signers = await allInOrder(CA_SPECS.map((ca, i) => ensureCA(o.certDir, ca.name, ca.base, ca.cn, caSteps[i])));
  const cas = Object.fromEntries(CA_SPECS.map((ca, i) => [ca.name, signers[i]])) as Record<CAName, Signer>;
  const leafSteps = await allInOrder(certSpecs(o).map((spec) => ensureLeaf(o.certDir, spec, cas[spec.ca])));
  const steps = [...caSteps.flat(), ...leafSteps];
  steps.push({ name: 'sa', file: `${o.certDir}/sa.key`, action: await sa });
  return { cas, steps };
}

/** kubeadm's log lines for each step. */
export function describeStep(s: PkiStep): string {
  if (s.name === 'sa') return s.action === 'created' ? '[certs] Generating "sa" key and public key' : '[certs] Using the existing "sa" key';
  return s.action === 'created' ? `[certs] Generating "${s.name}" certificate and key` : `[certs] Using existing ${s.name} certificate and key on disk`;
}
