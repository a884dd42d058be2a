// --enable-bootstrap-token-auth: tokens "ID.SECRET" backed by kube-system/bootstrap-token-ID
// Secrets (type bootstrap.kubernetes.io/token), for nodes that have not joined yet.
import type { TokenAuthenticator } from './authenticator.js';
import type { ObjectLookup } from './object-lookup.js';

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const field = (s: Record<string, any>, k: string) => (s.data?.[k] !== undefined ? Buffer.from(s.data[k], 'base64').toString('utf8') : s.stringData?.[k]);

export function bootstrapTokenAuthenticator(lookup: ObjectLookup): TokenAuthenticator {
  return {
    name: 'bootstrap-token',
    async authenticateToken(token) {
      const m = TOKEN.exec(token);
      if (!m) return undefined;
      const [, id, secret] = m;
      const s = await lookup('secrets', 'kube-system', `bootstrap-token-${id}`);
      if (!s || s.metadata?.deletionTimestamp || s.type !== 'bootstrap.kubernetes.io/token') throw new Error(`bootstrap token ${id} not found`);
      if (field(s, 'token-id') !== id || field(s, 'token-secret') !== secret) throw new Error(`bootstrap token ${id} does not match`);
      if (field(s, 'usage-bootstrap-authentication') !== 'true') throw new Error(`bootstrap token ${id} is not for authentication`);
      const exp = field(s, 'expiration');
      if (exp && Date.parse(exp) <= Date.now()) throw new Error(`bootstrap token ${id} expired`);
      const extra = (field(s, 'auth-extra-groups') ?? '').split(',').map((g: string) => g.trim()).filter((g: string) => /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/.test(g));
      return { name: `system:bootstrap:${id}`, uid: '', groups: ['system:bootstrappers', ...extra] };
    },
  };
}
