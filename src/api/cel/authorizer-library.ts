// The `authorizer` variable of admission CEL (upstream's k8s.io/apiserver/pkg/cel/library
// authz): authorizer.group(g).resource(r)[.subresource(s)][.namespace(n)][.name(n)].check(verb),
// authorizer.path(p).check(verb), authorizer.serviceAccount(ns, name), and
// authorizer.requestResource (the request's own resource). A Decision answers allowed(),
// reason(), errored() and error(). CEL runs synchronously while authorizers answer
// asynchronously, so a check whose answer is not known yet is recorded as pending and fails
// the evaluation; the caller answers the pending checks and evaluates again (evalWithAuthz).
import type { Environment } from '@marcbachmann/cel-js';

export interface AuthzQuery {
  /** The user asked about: the requester, or system:serviceaccount:NS:NAME. */
  user: string;
  path?: string;
  group?: string; resource?: string; subresource?: string; namespace?: string; name?: string;
  verb: string;
}
export interface AuthzAnswer { decision: 'allow' | 'deny' | 'noopinion'; reason: string; error?: string }

/** Answers checks from a cache; unknown ones are recorded and reported as pending. */
export class AuthzSession {
  readonly answers = new Map<string, AuthzAnswer>();
  pending: AuthzQuery[] = [];
  constructor(private readonly resolve: (q: AuthzQuery) => Promise<AuthzAnswer>) {}
  async resolvePending(): Promise<void> {
    const todo = this.pending;
    this.pending = [];
    await Promise.all(todo.map(async (q) => {
      let a: AuthzAnswer;
      try { a = await this.resolve(q); } catch (err) { a = { decision: 'noopinion', reason: '', error: (err as Error).message }; }
      this.answers.set(JSON.stringify(q), a);
    }));
  }
  answer(q: AuthzQuery): AuthzAnswer {
    const key = JSON.stringify(q);
    const known = this.answers.get(key);
    if (known) return known;
    this.pending.push(q);
    throw new PendingAuthorization();
  }
}
export class PendingAuthorization extends Error { constructor() { super('authorization check pending'); } }

export class Authorizer {
  readonly requestResource: ResourceCheck;
  constructor(readonly session: AuthzSession, readonly user: string, request?: Pick<ResourceCheck, 'group' | 'resource' | 'subresource' | 'namespace' | 'name'>) {
    this.requestResource = new ResourceCheck(this, request?.group ?? '', request?.resource ?? '', request?.subresource ?? '', request?.namespace ?? '', request?.name ?? '');
  }
}
export class PathCheck { constructor(readonly authorizer: Authorizer, readonly path: string) {} }
export class GroupCheck { constructor(readonly authorizer: Authorizer, readonly group: string) {} }
export class ResourceCheck {
  constructor(readonly authorizer: Authorizer, readonly group: string, readonly resource: string, readonly subresource = '', readonly namespace = '', readonly name = '') {}
  with(o: Partial<Pick<ResourceCheck, 'subresource' | 'namespace' | 'name'>>): ResourceCheck {
    return new ResourceCheck(this.authorizer, this.group, this.resource, o.subresource ?? this.subresource, o.namespace ?? this.namespace, o.name ?? this.name);
  }
}
export class Decision { constructor(readonly a: AuthzAnswer) {} }

const A = 'kubernetes.authorization.Authorizer';
const P = 'kubernetes.authorization.PathCheck';
const G = 'kubernetes.authorization.GroupCheck';
const R = 'kubernetes.authorization.ResourceCheck';
const D = 'kubernetes.authorization.Decision';

export function registerAuthorizerLibrary(env: Environment): void {
  env.registerType(R, ResourceCheck);
  env.registerType(A, { ctor: Authorizer, fields: { requestResource: R } } as any);
  env.registerType(P, PathCheck);
  env.registerType(G, GroupCheck);
  env.registerType(D, Decision);
  env.registerFunction(`${A}.path(string): ${P}`, (a: Authorizer, p: string) => new PathCheck(a, p));
  env.registerFunction(`${A}.group(string): ${G}`, (a: Authorizer, g: string) => new GroupCheck(a, g));
  env.registerFunction(`${A}.serviceAccount(string, string): ${A}`, (a: Authorizer, ns: string, name: string) => new Authorizer(a.session, `system:serviceaccount:${ns}:${name}`));
  env.registerFunction(`${G}.resource(string): ${R}`, (g: GroupCheck, r: string) => new ResourceCheck(g.authorizer, g.group, r));
  env.registerFunction(`${R}.subresource(string): ${R}`, (r: ResourceCheck, s: string) => r.with({ subresource: s }));
  env.registerFunction(`${R}.namespace(string): ${R}`, (r: ResourceCheck, s: string) => r.with({ namespace: s }));
  env.registerFunction(`${R}.name(string): ${R}`, (r: ResourceCheck, s: string) => r.with({ name: s }));
  env.registerFunction(`${P}.check(string): ${D}`, (p: PathCheck, verb: string) => new Decision(p.authorizer.session.answer({ user: p.authorizer.user, path: p.path, verb })));
  env.registerFunction(`${R}.check(string): ${D}`, (r: ResourceCheck, verb: string) => new Decision(r.authorizer.session.answer({
    user: r.authorizer.user, group: r.group, resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name, verb,
  })));
  env.registerFunction(`${D}.allowed(): bool`, (d: Decision) => d.a.decision === 'allow');
  env.registerFunction(`${D}.reason(): string`, (d: Decision) => d.a.reason);
  env.registerFunction(`${D}.errored(): bool`, (d: Decision) => !!d.a.error);
  env.registerFunction(`${D}.error(): string`, (d: Decision) => d.a.error ?? '');
}
