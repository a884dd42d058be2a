// Writing one kubeconfig with the CA and a client certificate embedded (the *-data fields,
// so the file stands alone), or keeping an existing one that still fits: same CA, same
// server URL, a valid client certificate for the same user.
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { checkPair, PkiFileError, readCert, readPrivateKey } from '../pki/existing.js';
import { writeFileAtomic } from '../pki/cert-files.js';
import { issueLeaf } from '../pki/issue.js';
import type { Signer } from '../pki/signer.js';
import type { KubeconfigSpec } from './kubeconfig-specs.js';

export interface KubeconfigTarget { clusterName: string; server: string; ca: Signer }

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function kubeconfigText(t: KubeconfigTarget, user: string, certPem: string, keyPem: string): string {
  const context = `${user}@${t.clusterName}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: t.clusterName, cluster: { 'certificate-authority-data': b64(t.ca.certPem), server: t.server } }],
    contexts: [{ name: context, context: { cluster: t.clusterName, user } }],
    'current-context': context,
    preferences: {},
    users: [{ name: user, user: { 'client-certificate-data': b64(certPem), 'client-key-data': b64(keyPem) } }],
  });
}

interface Parsed { server?: string; caPem?: string; certPem?: string; keyPem?: string }

function readExisting(file: string): Parsed {
  let doc: Record<string, unknown>;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'), { version: '1.1' }) as Record<string, unknown>;
  } catch (err) {
    throw new PkiFileError(file, `not a readable kubeconfig: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || doc.kind !== 'Config') throw new PkiFileError(file, 'not a kubeconfig (kind: Config expected)');
  type Entry = { name?: string; cluster?: Record<string, string>; user?: Record<string, string>; context?: Record<string, string> };
  const find = (list: unknown, name?: string): Entry | undefined => (Array.isArray(list) ? (list as Entry[]).find((e) => e?.name === name) : undefined);
  const ctx = find(doc.contexts, doc['current-context'] as string)?.context;
  const cluster = find(doc.clusters, ctx?.cluster)?.cluster;
  const user = find(doc.users, ctx?.user)?.user;
  const dec = (v?: string) => (v ? Buffer.from(v, 'base64').toString('utf8') : undefined);
  return { server: cluster?.server, caPem: dec(cluster?.['certificate-authority-data']), certPem: dec(user?.['client-certificate-data']), keyPem: dec(user?.['client-key-data']) };
}

export type KubeconfigAction = 'created' | 'kept';

export async function ensureKubeconfig(dir: string, spec: KubeconfigSpec, t: KubeconfigTarget): Promise<KubeconfigAction> {
  const file = path.join(dir, spec.file);
  if (fs.existsSync(file)) {
    const have = readExisting(file);
    if (!have.caPem || !have.certPem || !have.keyPem) throw new PkiFileError(file, 'exists but does not embed certificate-authority-data, client-certificate-data and client-key-data; remove it to have a new one made');
    const ca = readCert(`${file} (certificate-authority-data)`, have.caPem);
    if (ca.fingerprint256 !== t.ca.cert.fingerprint256) throw new PkiFileError(file, 'exists but trusts a different CA than pki/ca.crt; remove it to have a new one made');
    if (have.server !== t.server) throw new PkiFileError(file, `exists but has an unexpected API Server URL: expected: ${t.server}, got: ${have.server}; remove it to have a new one made`);
    const cert = checkPair(`${file} (client-certificate-data)`, readCert(`${file} (client-certificate-data)`, have.certPem),
      `${file} (client-key-data)`, readPrivateKey(`${file} (client-key-data)`, have.keyPem), { ca: t.ca.cert });
    const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
    if (cn !== spec.cn) throw new PkiFileError(file, `client certificate is for "${cn}", expected "${spec.cn}"; remove it to have a new one made`);
    fs.chmodSync(file, 0o600);
    return 'kept';
  }
  const made = await issueLeaf(t.ca, { cn: spec.cn, orgs: spec.orgs, usages: ['client'] });
  writeFileAtomic(file, kubeconfigText(t, spec.cn, made.certPem, made.keyPem), 0o600);
  return 'created';
}

export function describeKubeconfig(file: string, action: KubeconfigAction): string {
  return action === 'created' ? `[kubeconfig] Writing "${path.basename(file)}" kubeconfig file` : `[kubeconfig] Using existing kubeconfig file: "${file}"`;
}
