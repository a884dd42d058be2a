// etcd's "simple" token provider: an opaque random token per successful Authenticate, held
// only in memory, valid for a TTL that every use renews. Tokens of a user die when the user
// is deleted or changes password, and all of them when auth is disabled.
import { randomInt } from 'node:crypto';

/** etcd's default simple-token TTL (--auth-token-ttl, 300 s) */
export const SIMPLE_TOKEN_TTL_MS = 5 * 60 * 1000;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface TokenEntry {
  user: string;
  expiresAt: number;
}

export class SimpleTokens {
  private readonly tokens = new Map<string, TokenEntry>();
  private counter = 0;

  constructor(
    private readonly ttlMs = SIMPLE_TOKEN_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh token for the user: 16 random letters and a sequence number, as etcd's look. */
  assign(user: string): string {
    this.sweep();
    let prefix = '';
    for (let i = 0; i < 16; i++) prefix += LETTERS[randomInt(LETTERS.length)];
    const token = `${prefix}.${++this.counter}`;
    this.tokens.set(token, { user, expiresAt: this.now() + this.ttlMs });
    return token;
  }

  /** The token's user, renewing its TTL; undefined when unknown or expired. */
  user(token: string): string | undefined {
    const entry = this.tokens.get(token);
    if (!entry) return undefined;
    const now = this.now();
    if (entry.expiresAt <= now) {
      this.tokens.delete(token);
      return undefined;
    }
    entry.expiresAt = now + this.ttlMs;
    return entry.user;
  }

  invalidateUser(user: string): void {
    for (const [token, entry] of this.tokens) if (entry.user === user) this.tokens.delete(token);
  }

  clear(): void {
    this.tokens.clear();
  }

  get size(): number {
    return this.tokens.size;
  }

  /** drops expired tokens so clients that never come back do not pile up */
  private sweep(): void {
    const now = this.now();
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
  }
}
