// `tskube admin certs check-expiration`: kubeadm's two tables (certificates, then CAs) with
// expiry date, residual time and signing CA. Missing files are listed as !MISSING!, as kubeadm does.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CA_SPECS, type CAName } from './cert-specs.js';
import { readCert } from './existing.js';

/** Certificates kubeadm lists, with the file that holds each and the CA that signs it. */
const LEAVES: { name: string; where: 'pki' | 'conf'; file: string; ca: CAName }[] = [
  { name: 'admin.conf', where: 'conf', file: 'admin.conf', ca: 'ca' },
  { name: 'apiserver', where: 'pki', file: 'apiserver.crt', ca: 'ca' },
  { name: 'apiserver-etcd-client', where: 'pki', file: 'apiserver-etcd-client.crt', ca: 'etcd-ca' },
  { name: 'apiserver-kubelet-client', where: 'pki', file: 'apiserver-kubelet-client.crt', ca: 'ca' },
  { name: 'controller-manager.conf', where: 'conf', file: 'controller-manager.conf', ca: 'ca' },
  { name: 'etcd-healthcheck-client', where: 'pki', file: 'etcd/healthcheck-client.crt', ca: 'etcd-ca' },
  { name: 'etcd-peer', where: 'pki', file: 'etcd/peer.crt', ca: 'etcd-ca' },
  { name: 'etcd-server', where: 'pki', file: 'etcd/server.crt', ca: 'etcd-ca' },
  { name: 'front-proxy-client', where: 'pki', file: 'front-proxy-client.crt', ca: 'front-proxy-ca' },
  { name: 'scheduler.conf', where: 'conf', file: 'scheduler.conf', ca: 'ca' },
  { name: 'super-admin.conf', where: 'conf', file: 'super-admin.conf', ca: 'ca' },
];

export interface ExpiryRow { name: string; expires?: Date; ca?: CAName; missing: boolean }
export interface ExpiryReport { certs: ExpiryRow[]; cas: ExpiryRow[] }

function kubeconfigCert(file: string): crypto.X509Certificate {
  const doc = parse(fs.readFileSync(file, 'utf8'), { version: '1.1' }) as { users?: { user?: Record<string, string> }[] };
  const data = doc?.users?.[0]?.user?.['client-certificate-data'];
  if (data) return readCert(`${file} (client-certificate-data)`, Buffer.from(data, 'base64').toString('utf8'));
  const certFile = doc?.users?.[0]?.user?.['client-certificate'];
  if (certFile) return readCert(path.resolve(path.dirname(file), certFile));
  throw new Error(`${file}: no client certificate in its first user`);
}

export function expiryReport(certDir: string, kubeconfigDir: string): ExpiryReport {
  const certs = LEAVES.flatMap((l): ExpiryRow[] => {
    const file = l.where === 'pki' ? path.join(certDir, l.file) : path.join(kubeconfigDir, l.file);
    if (!fs.existsSync(file)) return l.name === 'super-admin.conf' ? [] : [{ name: l.name, ca: l.ca, missing: true }];
    const cert = l.where === 'pki' ? readCert(file) : kubeconfigCert(file);
    return [{ name: l.name, expires: new Date(cert.validTo), ca: l.ca, missing: false }];
  });
  const cas = CA_SPECS.map((c): ExpiryRow => {
    const file = path.join(certDir, `${c.base}.crt`);
    if (!fs.existsSync(file)) return { name: c.name, missing: true };
    return { name: c.name, expires: new Date(readCert(file).validTo), missing: false };
  });
  return { certs, cas };
}

/** Go's ShortHumanDuration, which kubeadm prints as RESIDUAL TIME. */
export function shortHumanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h`;
  if (h < 24 * 365) return `${Math.floor(h / 24)}d`;
  return `${Math.floor(h / 24 / 365)}y`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');
/** Go's "Jan 02, 2006 15:04 MST" in UTC. */
export const expiryDate = (d: Date): string =>
  `${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())}, ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}

export function formatExpiryReport(r: ExpiryReport, now = new Date()): string {
  const line = (row: ExpiryRow, withCA: boolean): string[] => {
    if (row.missing) return [`!MISSING! ${row.name}`, '', '', ...(withCA ? [''] : []), ''];
    const exp = row.expires as Date;
    return [row.name, expiryDate(exp), shortHumanDuration(exp.getTime() - now.getTime()), ...(withCA ? [row.ca ?? ''] : []), 'no'];
  };
  return table([['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED'], ...r.certs.map((c) => line(c, true))]) +
    '\n' + table([['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED'], ...r.cas.map((c) => line(c, false))]);
}
