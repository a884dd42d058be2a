// The authentication chain: each authenticator looks at the request; the first that
// recognises credentials decides. No credentials at all → anonymous (when allowed).
import type { IncomingMessage } from 'node:http';
import { newUnauthorized } from '../../api/status/index.js';
import { ANONYMOUS, AUTHENTICATED_GROUP, type UserInfo } from './user-info.js';

/**
 * One way of proving identity. Returns undefined when the request carries no credential
 * of this kind; throws (any error) when it carries one that is not valid.
 */
export interface RequestAuthenticator {
  name: string;
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined>;
}

/** A bearer-token checker: undefined means "not one of mine", so the next one is asked. */
export interface TokenAuthenticator {
  name: string;
  authenticateToken(token: string): Promise<UserInfo | undefined>;
}

export class AuthenticationChain {
  constructor(private readonly authenticators: RequestAuthenticator[], private readonly anonymous: boolean, private readonly log: (msg: string) => void = () => {}) {}

  /** The caller, or a 401 Unauthorized ApiError. */
  async authenticate(req: IncomingMessage): Promise<UserInfo> {
    let failed = false;
    for (const a of this.authenticators) {
      let user: UserInfo | undefined;
      try {
        user = await a.authenticate(req);
      } catch (err) {
        failed = true;
        this.log(`${a.name}: ${(err as Error).message}`);
        continue;
      }
      if (user) return withAuthenticatedGroup(user);
    }
    if (failed || !this.anonymous) throw newUnauthorized();
    return { ...ANONYMOUS, groups: [...ANONYMOUS.groups] };
  }
}

export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name === ANONYMOUS.name || user.groups.includes(AUTHENTICATED_GROUP)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}
