// What each built-in signer will sign (upstream's csrsigning validation): the kubelet
// client and serving signers only sign kubelet-shaped requests, the API server client
// signer only client usages; legacy-unknown signs what it is given.
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { kubeletClientProblem } from '../approver/node-client-csr.js';
import { CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, LEGACY_UNKNOWN_SIGNER, type ParsedRequest } from '../csr-request.js';

export const SIGNERS = [KUBELET_CLIENT_SIGNER, CLIENT_SIGNER, KUBELET_SERVING_SIGNER, LEGACY_UNKNOWN_SIGNER];

const CLIENT_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);
const SERVING_USAGES = new Set(['digital signature', 'key encipherment', 'server auth']);

/** Why this signer refuses the request, or undefined when it will sign. */
export function signerProblem(csr: CertificateSigningRequest, req: ParsedRequest): string | undefined {
  const usages = csr.spec.usages ?? [];
  switch (csr.spec.signerName) {
    case KUBELET_CLIENT_SIGNER: return kubeletClientProblem(csr, req);
    case CLIENT_SIGNER: {
      const bad = usages.filter((u) => !CLIENT_USAGES.has(u));
      if (bad.length) return `unsupported key usage: ${bad[0]}`;
      if (!usages.includes('client auth')) return 'missing required key usage: client auth';
      return undefined;
    }
    case KUBELET_SERVING_SIGNER: {
      if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
      if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
      if (req.emails.length || req.uris.length) return 'email and URI subjectAltNames are not allowed';
      if (!req.dnsNames.length && !req.ipAddresses.length) return 'at least one DNS or IP subjectAltName is required';
      const bad = usages.filter((u) => !SERVING_USAGES.has(u));
      if (bad.length) return `unsupported key usage: ${bad[0]}`;
      if (!usages.includes('server auth')) return 'missing required key usage: server auth';
      return undefined;
    }
    case LEGACY_UNKNOWN_SIGNER: return undefined;
    default: return `unknown signer ${csr.spec.signerName}`;
  }
}
