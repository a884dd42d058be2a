// Who is asking: the authenticated user and the request. A request's writes carry it to
// admission through a registry bound to the request (Registry.forRequest), passed explicitly
// rather than through AsyncLocalStorage, whose promise hooks cost every promise of the server
// CPU. Writes through the unbound registry (the server's own bootstrap and bookkeeping, the
// plugins' own writes) are not admitted.
import type { UserInfo } from '../authn/user-info.js';
import type { RequestInfo } from '../request-info.js';

export interface RequestScope {
  user: UserInfo; info: RequestInfo; warn?: (text: string) => void;
  /** Adds an annotation to the request's audit event. */
  annotate?: (key: string, value: string) => void;
}

/** Adds one `Warning: 299 - "text"` header to the response (kept alongside earlier ones). */
export function addWarning(res: { getHeader(n: string): unknown; setHeader(n: string, v: string[]): unknown; headersSent?: boolean }, text: string): void {
  if (res.headersSent) return;
  const cur = res.getHeader('Warning');
  const list = Array.isArray(cur) ? cur.map(String) : cur ? [String(cur)] : [];
  res.setHeader('Warning', [...list, `299 - ${JSON.stringify(text)}`]);
}
