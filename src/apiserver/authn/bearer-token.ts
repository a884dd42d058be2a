// Authorization: Bearer <token>, checked by each token authenticator in turn.
import type { IncomingMessage } from 'node:http';
import type { RequestAuthenticator, TokenAuthenticator } from './authenticator.js';
import type { UserInfo } from './user-info.js';

/** The token of `Authorization: Bearer TOKEN`; undefined for no header, another scheme or an empty token (as upstream). */
export function bearerToken(req: IncomingMessage): string | undefined {
  const parts = String(req.headers.authorization ?? '').trim().split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer' || !parts[1]) return undefined;
  return parts[1];
}

export function bearerTokenAuthenticator(tokens: TokenAuthenticator[]): RequestAuthenticator {
  return {
    name: 'bearer-token',
    async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
      // Basic or any other scheme is not ours: such a request goes on as anonymous (upstream has no basic auth).
      const token = bearerToken(req);
      if (!token) return undefined;
      for (const t of tokens) {
        const user = await t.authenticateToken(token);
        if (user) return user;
      }
      throw new Error('invalid bearer token');
    },
  };
}
