// etcd v3 authentication and authorization: users with bcrypt passwords, roles with key-range
// permissions, the enabled flag (all durable in the store's metadata map, so they survive a
// restart and travel in snapshots), simple tokens, and the permission checks the KV, Watch,
// Lease and maintenance front ends call. Rules and error codes follow etcd 3.4's auth store.
import type { Metadata } from '@grpc/grpc-js';
import { Errors } from '../errors.js';
import {
  decodeRole,
  decodeUser,
  ENABLED_KEY,
  encodeRole,
  encodeUser,
  ROLE_PREFIX,
  USER_PREFIX,
  type KeyPermission,
  type MetaMap,
  type RoleRecord,
  type UserRecord,
} from './auth-records.js';
import { DEFAULT_BCRYPT_COST, hashPassword, passwordMatches } from './password-hash.js';
import { containsKey, coversRange, permissionInterval, requestInterval, type KeyInterval } from './permission-ranges.js';
import { SIMPLE_TOKEN_TTL_MS, SimpleTokens } from './simple-token.js';

export type { KeyPermission, PermType } from './auth-records.js';

export const ROOT_USER = 'root';
export const ROOT_ROLE = 'root';

/** gRPC metadata keys etcd reads a token from: clients send "token"; the gateway "authorization" */
const TOKEN_KEYS = ['token', 'authorization'];

export interface AuthStoreOptions {
  tokenTtlMs?: number;
  bcryptCost?: number;
}

interface MergedPerms {
  read: KeyInterval[];
  write: KeyInterval[];
}

export class AuthStore {
  private users = new Map<string, UserRecord>();
  private roles = new Map<string, RoleRecord>();
  private isEnabled = false;
  private readonly tokens: SimpleTokens;
  private readonly bcryptCost: number;
  /** per-user union of role permissions; dropped on every change */
  private permCache = new Map<string, MergedPerms>();
  /** management writes run one at a time so each validates against the state before it */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly meta: MetaMap,
    opts: AuthStoreOptions,
  ) {
    this.tokens = new SimpleTokens(opts.tokenTtlMs ?? SIMPLE_TOKEN_TTL_MS);
    this.bcryptCost = opts.bcryptCost ?? DEFAULT_BCRYPT_COST;
  }

  /** Reads users, roles and the enabled flag from the store's metadata map. */
  static load(store: { meta: MetaMap }, opts: AuthStoreOptions = {}): AuthStore {
    const auth = new AuthStore(store.meta, opts);
    auth.reload();
    return auth;
  }

  /** Re-reads persisted state, e.g. after a snapshot restore replaced the metadata. */
  reload(): void {
    this.users = new Map(this.meta.list(USER_PREFIX).map(([, v]) => decodeUser(v)).map((u) => [u.name, u]));
    this.roles = new Map(this.meta.list(ROLE_PREFIX).map(([, v]) => decodeRole(v)).map((r) => [r.name, r]));
    this.isEnabled = this.meta.get(ENABLED_KEY)?.toString() === '1';
    this.permCache.clear();
    this.tokens.clear();
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  // ---- enable / disable ----

  enable(): Promise<void> {
    return this.serial(async () => {
      if (this.isEnabled) return;
      const root = this.users.get(ROOT_USER);
      if (!root) throw Errors.rootUserNotExist();
      if (!root.roles.includes(ROOT_ROLE)) throw Errors.rootRoleNotExist();
      await this.meta.put(ENABLED_KEY, Buffer.from('1'));
      this.isEnabled = true;
      this.tokens.clear();
      this.permCache.clear();
    });
  }

  disable(): Promise<void> {
    return this.serial(async () => {
      if (!this.isEnabled) return;
      await this.meta.put(ENABLED_KEY, Buffer.from('0'));
      this.isEnabled = false;
      this.tokens.clear();
    });
  }

  // ---- authentication ----

  /** Checks the password and returns a new simple token. */
  async authenticate(name: string, password: string): Promise<string> {
    if (!this.isEnabled) throw Errors.authNotEnabled();
    const user = this.users.get(name);
    if (!user) throw Errors.authFailed();
    if (user.noPassword) throw Errors.userNoPassword();
    if (!user.passwordHash || !(await passwordMatches(password, user.passwordHash))) throw Errors.authFailed();
    // the user may have been deleted or its password changed while bcrypt ran
    if (this.users.get(name) !== user || !this.isEnabled) throw Errors.authFailed();
    return this.tokens.assign(name);
  }

  /**
   * The user a request's token names. Undefined when auth is disabled or no token was sent
   * (permission checks then refuse with "user name is empty"); an unknown or expired token
   * is refused with "invalid auth token", on which etcd clients authenticate again.
   */
  userFromMetadata(md: Metadata): string | undefined {
    if (!this.isEnabled) return undefined;
    for (const key of TOKEN_KEYS) {
      const values = md.get(key);
      if (values.length === 0) continue;
      const user = this.tokens.user(values[0].toString());
      if (user === undefined) throw Errors.invalidAuthToken();
      return user;
    }
    return undefined;
  }

  // ---- authorization ----

  /**
   * Throws unless the user may `perm` the keys [key, rangeEnd): an empty or absent rangeEnd
   * is the single key, "\0" every key from key on. A no-op while auth is disabled.
   */
  checkRange(user: string | undefined, key: Buffer, rangeEnd: Buffer | undefined, perm: 'read' | 'write'): void {
    if (!this.isEnabled) return;
    if (user === undefined || user === '') throw Errors.userEmpty();
    const record = this.users.get(user);
    if (!record) throw Errors.permissionDenied();
    if (record.roles.includes(ROOT_ROLE)) return;
    const intervals = this.mergedPerms(record)[perm];
    const req = requestInterval(key, rangeEnd);
    const ok = req ? coversRange(intervals, req) : containsKey(intervals, key);
    if (!ok) throw Errors.permissionDenied();
  }

  /** True when the user holds the root role, or auth is disabled (everyone may then). */
  isAdmin(user: string | undefined): boolean {
    if (!this.isEnabled) return true;
    return user !== undefined && !!this.users.get(user)?.roles.includes(ROOT_ROLE);
  }

  /** Throws etcd's error for a request that needs the root role (auth, cluster, maintenance). */
  checkAdmin(user: string | undefined): void {
    if (!this.isEnabled) return;
    if (user === undefined || user === '') throw Errors.userEmpty();
    const record = this.users.get(user);
    if (!record) throw Errors.userNotFound();
    if (!record.roles.includes(ROOT_ROLE)) throw Errors.permissionDenied();
  }

  /**
   * checkAdmin for etcd 3.4's Maintenance calls that need root (Snapshot, Defragment, Hash,
   * HashKV): the same rule, but etcd passes these errors unmapped (code Unknown, "auth: ...").
   * Status, alarms, Compact, member and lease calls need no role in etcd 3.4.
   */
  checkMaintenanceAdmin(user: string | undefined): void {
    if (!this.isEnabled) return;
    if (user === undefined || user === '') throw Errors.maintenanceUserEmpty();
    const record = this.users.get(user);
    if (!record) throw Errors.maintenanceUserNotFound();
    if (!record.roles.includes(ROOT_ROLE)) throw Errors.maintenancePermissionDenied();
  }

  hasRole(user: string | undefined, role: string): boolean {
    return user !== undefined && !!this.users.get(user)?.roles.includes(role);
  }

  // ---- users ----

  async userAdd(name: string, password: string, opts: { noPassword?: boolean } = {}): Promise<void> {
    if (name === '') throw Errors.userEmpty();
    const noPassword = !!opts.noPassword;
    // hash before queueing: it is the slow part and needs no state
    const passwordHash = noPassword ? undefined : await hashPassword(password, this.bcryptCost);
    return this.serial(async () => {
      if (this.users.has(name)) throw Errors.userAlreadyExist();
      await this.putUser({ name, passwordHash, noPassword, roles: [] });
    });
  }

  userGet(name: string): string[] {
    const user = this.users.get(name);
    if (!user) throw Errors.userNotFound();
    return [...user.roles];
  }

  userList(): string[] {
    return [...this.users.keys()].sort(compareNames);
  }

  userDelete(name: string): Promise<void> {
    return this.serial(async () => {
      if (this.isEnabled && name === ROOT_USER) throw Errors.invalidAuthMgmt();
      if (!this.users.has(name)) throw Errors.userNotFound();
      await this.meta.delete(USER_PREFIX + name);
      this.users.delete(name);
      this.changed();
      this.tokens.invalidateUser(name);
    });
  }

  async userChangePassword(name: string, password: string): Promise<void> {
    if (!this.users.has(name)) throw Errors.userNotFound();
    const passwordHash = await hashPassword(password, this.bcryptCost);
    return this.serial(async () => {
      const user = this.users.get(name);
      if (!user) throw Errors.userNotFound();
      // etcd 3.4 stores the hash even for a --no-password user, who still cannot log in
      await this.putUser({ ...user, passwordHash });
      this.tokens.invalidateUser(name);
    });
  }

  userGrantRole(name: string, role: string): Promise<void> {
    return this.serial(async () => {
      const user = this.users.get(name);
      if (!user) throw Errors.userNotFound();
      // the root role need not exist as a record to be granted
      if (role !== ROOT_ROLE && !this.roles.has(role)) throw Errors.roleNotFound();
      if (user.roles.includes(role)) return;
      await this.putUser({ ...user, roles: [...user.roles, role].sort(compareNames) });
    });
  }

  userRevokeRole(name: string, role: string): Promise<void> {
    return this.serial(async () => {
      if (this.isEnabled && name === ROOT_USER && role === ROOT_ROLE) throw Errors.invalidAuthMgmt();
      const user = this.users.get(name);
      if (!user) throw Errors.userNotFound();
      if (!user.roles.includes(role)) throw Errors.roleNotGranted();
      await this.putUser({ ...user, roles: user.roles.filter((r) => r !== role) });
    });
  }

  // ---- roles ----

  roleAdd(name: string): Promise<void> {
    return this.serial(async () => {
      if (name === '') throw Errors.roleEmpty();
      if (this.roles.has(name)) throw Errors.roleAlreadyExist();
      await this.putRole({ name, permissions: [] });
    });
  }

  roleGet(name: string): KeyPermission[] {
    const role = this.roles.get(name);
    if (!role) throw Errors.roleNotFound();
    return role.permissions.map((p) => ({ ...p }));
  }

  roleList(): string[] {
    return [...this.roles.keys()].sort(compareNames);
  }

  roleDelete(name: string): Promise<void> {
    return this.serial(async () => {
      if (this.isEnabled && name === ROOT_ROLE) throw Errors.invalidAuthMgmt();
      if (!this.roles.has(name)) throw Errors.roleNotFound();
      // users first: a crash in between leaves a role nobody holds, never a dangling grant
      for (const user of this.users.values()) {
        if (user.roles.includes(name)) await this.putUser({ ...user, roles: user.roles.filter((r) => r !== name) });
      }
      await this.meta.delete(ROLE_PREFIX + name);
      this.roles.delete(name);
      this.changed();
    });
  }

  /** Adds the permission, or changes the type of the one with the same key and range end. */
  roleGrantPermission(name: string, perm: KeyPermission | undefined): Promise<void> {
    return this.serial(async () => {
      if (!perm) throw Errors.permissionNotGiven();
      const role = this.roles.get(name);
      if (!role) throw Errors.roleNotFound();
      const same = (p: KeyPermission) => p.key.equals(perm.key) && p.rangeEnd.equals(perm.rangeEnd);
      const granted = { permType: perm.permType, key: Buffer.from(perm.key), rangeEnd: Buffer.from(perm.rangeEnd) };
      const permissions = role.permissions.some(same)
        ? role.permissions.map((p) => (same(p) ? granted : p))
        : [...role.permissions, granted].sort((a, b) => Buffer.compare(a.key, b.key));
      await this.putRole({ name, permissions });
    });
  }

  roleRevokePermission(name: string, key: Buffer, rangeEnd: Buffer): Promise<void> {
    return this.serial(async () => {
      const role = this.roles.get(name);
      if (!role) throw Errors.roleNotFound();
      const permissions = role.permissions.filter((p) => !(p.key.equals(key) && p.rangeEnd.equals(rangeEnd)));
      if (permissions.length === role.permissions.length) throw Errors.permissionNotGranted();
      await this.putRole({ name, permissions });
    });
  }

  // ---- internals ----

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async putUser(user: UserRecord): Promise<void> {
    await this.meta.put(USER_PREFIX + user.name, encodeUser(user));
    this.users.set(user.name, user);
    this.changed();
  }

  private async putRole(role: RoleRecord): Promise<void> {
    await this.meta.put(ROLE_PREFIX + role.name, encodeRole(role));
    this.roles.set(role.name, role);
    this.changed();
  }

  private changed(): void {
    this.permCache.clear();
  }

  private mergedPerms(user: UserRecord): MergedPerms {
    let merged = this.permCache.get(user.name);
    if (merged) return merged;
    merged = { read: [], write: [] };
    for (const roleName of user.roles) {
      for (const p of this.roles.get(roleName)?.permissions ?? []) {
        const ivl = permissionInterval(p.key, p.rangeEnd);
        if (p.permType !== 'WRITE') merged.read.push(ivl);
        if (p.permType !== 'READ') merged.write.push(ivl);
      }
    }
    this.permCache.set(user.name, merged);
    return merged;
  }
}

/** Go's sort.Strings order: by UTF-8 bytes */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
