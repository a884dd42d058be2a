// What a CertificateSigningRequest asks for: the PKCS#10 request in spec.request (base64
// PEM) parsed into subject and alternative names, and the CSR's conditions.
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { x509 } from './x509.js';

export interface ParsedRequest {
  csr: x509.Pkcs10CertificateRequest;
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emails: string[];
  uris: string[];
  /** The public key's algorithm name (RSASSA-PKCS1-v1_5, ECDSA, Ed25519). */
  keyAlgorithm: string;
}

export function parseRequest(csr: CertificateSigningRequest): ParsedRequest {
  const pem = Buffer.from(csr.spec.request, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE REQUEST-----')) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const req = new x509.Pkcs10CertificateRequest(pem);
  const name = new x509.Name(req.subject);
  const json = name.toJSON();
  const attr = (k: string) => json.flatMap((rdn) => rdn[k] ?? []);
  // The CSR's extension objects are generic: re-read the SAN one from its raw bytes.
  const raw = req.extensions.find((e) => e.type === '2.5.29.17');
  const names = raw ? new x509.SubjectAlternativeNameExtension(raw.rawData).names.toJSON() : [];
  const of = (t: string) => names.filter((n: { type: string }) => n.type === t).map((n: { value: string }) => n.value);
  return {
    csr: req, commonName: attr('CN')[0] ?? '', organizations: attr('O'),
    dnsNames: of('dns'), ipAddresses: of('ip'), emails: of('email'), uris: of('url'),
    keyAlgorithm: req.publicKey.algorithm.name,
  };
}

export type CSRState = 'Pending' | 'Approved' | 'Denied' | 'Failed' | 'Issued';

export function csrState(csr: CertificateSigningRequest): CSRState {
  const conds = csr.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && (c.status ?? 'True') === 'True');
  if (has('Denied')) return 'Denied';
  if (has('Failed')) return 'Failed';
  if (csr.status?.certificate) return 'Issued';
  if (has('Approved')) return 'Approved';
  return 'Pending';
}

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';
