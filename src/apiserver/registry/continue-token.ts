// List paging tokens in upstream's format: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":KEY}
// where KEY is the next key relative to the list prefix.
import { newBadRequest } from '../../api/status/index.js';

export function encodeContinue(revision: number, nextKeySuffix: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: nextKeySuffix })).toString('base64url');
}

export function decodeContinue(token: string): { revision: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || t.start.includes('..') || t.start.startsWith('/')) throw new Error();
    return { revision: t.rv, start: t.start };
  } catch {
    throw newBadRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
