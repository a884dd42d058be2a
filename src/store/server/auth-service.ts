// The etcdserverpb.Auth gRPC service over an AuthStore. While auth is enabled every call but
// Authenticate needs the root role, except that users may read themselves (UserGet) and the
// roles they hold (RoleGet), as in etcd 3.4. Requests arrive as @grpc/proto-loader decodes
// them (keepCase, enums as strings, bytes as Buffers, defaults filled in).
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { AuthStore, KeyPermission, PermType } from '../auth/auth-store.js';
import { Errors } from '../errors.js';
import { toServiceError } from './grpc-errors.js';

type Req = Record<string, unknown>;
type Res = Record<string, unknown>;
/** runs with the caller's user name (undefined: no token, or auth disabled) */
type Handler = (req: Req, user: string | undefined) => Res | Promise<Res>;

const PERM_TYPES: readonly PermType[] = ['READ', 'WRITE', 'READWRITE'];

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const bytes = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));

function wirePermission(p: KeyPermission): Res {
  return { permType: p.permType, key: p.key, range_end: p.rangeEnd };
}

function requestPermission(v: unknown): KeyPermission | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const p = v as Req;
  const permType = (p.permType ?? 'READ') as PermType;
  if (!PERM_TYPES.includes(permType)) throw Errors.invalidAuthMgmt();
  return { permType, key: bytes(p.key), rangeEnd: bytes(p.range_end) };
}

export function authServiceHandlers(auth: AuthStore, header: () => object): UntypedServiceImplementation {
  const admin = (fn: Handler): Handler => (req, user) => {
    auth.checkAdmin(user);
    return fn(req, user);
  };
  const done = async (p: Promise<void>): Promise<Res> => {
    await p;
    return { header: header() };
  };

  const handlers: Record<string, Handler> = {
    Authenticate: async (req) => ({ header: header(), token: await auth.authenticate(str(req.name), str(req.password)) }),
    AuthEnable: admin(() => done(auth.enable())),
    AuthDisable: admin(() => done(auth.disable())),
    UserAdd: admin((req) => {
      const options = (req.options ?? {}) as Req;
      return done(auth.userAdd(str(req.name), str(req.password), { noPassword: options.no_password === true }));
    }),
    UserGet: (req, user) => {
      const name = str(req.name);
      if (user !== name) auth.checkAdmin(user);
      return { header: header(), roles: auth.userGet(name) };
    },
    UserList: admin(() => ({ header: header(), users: auth.userList() })),
    UserDelete: admin((req) => done(auth.userDelete(str(req.name)))),
    UserChangePassword: admin((req) => done(auth.userChangePassword(str(req.name), str(req.password)))),
    UserGrantRole: admin((req) => done(auth.userGrantRole(str(req.user), str(req.role)))),
    UserRevokeRole: admin((req) => done(auth.userRevokeRole(str(req.name), str(req.role)))),
    RoleAdd: admin((req) => done(auth.roleAdd(str(req.name)))),
    RoleGet: (req, user) => {
      const role = str(req.role);
      if (!auth.hasRole(user, role)) auth.checkAdmin(user);
      return { header: header(), perm: auth.roleGet(role).map(wirePermission) };
    },
    RoleList: admin(() => ({ header: header(), roles: auth.roleList() })),
    RoleDelete: admin((req) => done(auth.roleDelete(str(req.role)))),
    RoleGrantPermission: admin((req) => done(auth.roleGrantPermission(str(req.name), requestPermission(req.perm)))),
    RoleRevokePermission: admin((req) =>
      done(auth.roleRevokePermission(str(req.role), bytes(req.key), bytes(req.range_end))),
    ),
  };

  const service: UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(handlers)) {
    service[method] = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      void (async () => {
        try {
          // Authenticate ignores any (possibly stale) token the client still sends
          const user = method === 'Authenticate' ? undefined : auth.userFromMetadata(call.metadata);
          callback(null, await handler(call.request, user));
        } catch (err) {
          callback(toServiceError(err));
        }
      })();
    };
  }
  return service;
}
