// Authorization: Bearer <token>, checked by each token authenticator in turn.
import type { IncomingMessage } from 'node:http';
import type { RequestAuthenticator, TokenAuthenticator } from './authenticator.js';
import type { UserInfo } from './user-info.js';

export function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  return m?.[1];
}

export function bearerTokenAuthenticator(tokens: TokenAuthenticator[]): RequestAuthenticator {
  return {
    name: 'bearer-token',
    async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
      if (!req.headers.authorization) return undefined;
      const token = bearerToken(req);
      if (!token) throw new Error('malformed Authorization header');
      for (const t of tokens) {
        const user = await t.authenticateToken(token);
        if (user) return user;
      }
      throw new Error('invalid bearer token');
    },
  };
}
