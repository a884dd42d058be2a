// The persisted shapes of v3 auth (etcd's authpb User and Role) and their encoding in the
// store's durable metadata map: "auth/enabled", "auth/users/<name>", "auth/roles/<name>".
// Values are JSON with keys in base64, so any byte string survives a round trip.

export type PermType = 'READ' | 'WRITE' | 'READWRITE';

export interface KeyPermission {
  permType: PermType;
  key: Buffer;
  /** empty: the single key; "\0": every key >= key */
  rangeEnd: Buffer;
}

export interface UserRecord {
  name: string;
  /** bcrypt hash; absent for a user added with --no-password */
  passwordHash?: string;
  noPassword: boolean;
  /** kept sorted, as etcd keeps them */
  roles: string[];
}

export interface RoleRecord {
  name: string;
  /** kept sorted by key, as etcd keeps them */
  permissions: KeyPermission[];
}

/** The part of MvccStore's metadata map auth uses. */
export interface MetaMap {
  get(name: string): Buffer | undefined;
  put(name: string, value: Buffer): Promise<void>;
  delete(name: string): Promise<void>;
  list(prefix: string): [string, Buffer][];
}

export const ENABLED_KEY = 'auth/enabled';
export const USER_PREFIX = 'auth/users/';
export const ROLE_PREFIX = 'auth/roles/';

export const encodeUser = (u: UserRecord): Buffer => Buffer.from(JSON.stringify(u));

export function decodeUser(b: Buffer): UserRecord {
  const raw = JSON.parse(b.toString()) as UserRecord;
  return { name: raw.name, passwordHash: raw.passwordHash, noPassword: !!raw.noPassword, roles: raw.roles ?? [] };
}

export function encodeRole(r: RoleRecord): Buffer {
  const permissions = r.permissions.map((p) => ({
    permType: p.permType,
    key: p.key.toString('base64'),
    rangeEnd: p.rangeEnd.toString('base64'),
  }));
  return Buffer.from(JSON.stringify({ name: r.name, permissions }));
}

export function decodeRole(b: Buffer): RoleRecord {
  const raw = JSON.parse(b.toString()) as {
    name: string;
    permissions?: { permType: PermType; key: string; rangeEnd: string }[];
  };
  return {
    name: raw.name,
    permissions: (raw.permissions ?? []).map((p) => ({
      permType: p.permType,
      key: Buffer.from(p.key, 'base64'),
      rangeEnd: Buffer.from(p.rangeEnd, 'base64'),
    })),
  };
}
