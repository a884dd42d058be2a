// Is this a kubelet's client certificate request (upstream's IsKubeletClientCSR)? Subject
// O=system:nodes and CN=system:node:NAME, no alternative names of any kind, and exactly
// the client usages (key encipherment may be left out for non-RSA keys).
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { ParsedRequest } from '../csr-request.js';

export function kubeletClientProblem(csr: CertificateSigningRequest, req: ParsedRequest): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  if (req.dnsNames.length || req.ipAddresses.length || req.emails.length || req.uris.length) return 'DNS, email, IP or URI subjectAltNames are not allowed';
  const usages = new Set(csr.spec.usages ?? []);
  const want = ['digital signature', 'client auth'];
  if (req.keyAlgorithm === 'RSASSA-PKCS1-v1_5' || req.keyAlgorithm === 'RSA-PSS' || usages.has('key encipherment')) want.push('key encipherment');
  if (usages.size !== want.length || !want.every((u) => usages.has(u))) return `usages did not match [${want.join(' ')}]`;
  return undefined;
}
