// Who is asking: the authenticated user and the request, carried to the registry's
// admission hook through the async call chain. Writes made with no request in scope (the
// server's own bootstrap and bookkeeping) are not admitted.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { UserInfo } from '../authn/user-info.js';
import type { RequestInfo } from '../request-info.js';

export interface RequestScope {
  user: UserInfo; info: RequestInfo; warn?: (text: string) => void;
  /** Adds an annotation to the request's audit event. */
  annotate?: (key: string, value: string) => void;
}

const storage = new AsyncLocalStorage<RequestScope | undefined>();

export const runInRequestScope = <T>(scope: RequestScope, fn: () => T): T => storage.run(scope, fn);
export const currentRequest = (): RequestScope | undefined => storage.getStore();
/** Runs fn as the server itself (no admission), e.g. a plugin's own bookkeeping write. */
export const asServer = <T>(fn: () => T): T => storage.run(undefined, fn);

/** Adds one `Warning: 299 - "text"` header to the response (kept alongside earlier ones). */
export function addWarning(res: { getHeader(n: string): unknown; setHeader(n: string, v: string[]): unknown; headersSent?: boolean }, text: string): void {
  if (res.headersSent) return;
  const cur = res.getHeader('Warning');
  const list = Array.isArray(cur) ? cur.map(String) : cur ? [String(cur)] : [];
  res.setHeader('Warning', [...list, `299 - ${JSON.stringify(text)}`]);
}
