// CEL for admission (ValidatingAdmissionPolicy validations, matchConditions, variables,
// messageExpression; webhook matchConditions), evaluated with @marcbachmann/cel-js. Objects
// come from JSON: whole numbers become CEL ints (BigInt), other numbers doubles, so
// `object.spec.replicas <= 5` compares int with int as upstream's typed CEL does.
import { Environment } from '@marcbachmann/cel-js';
import { type Authorizer, registerAuthorizerLibrary } from './authorizer-library.js';
import { registerKubernetesLibraries } from './k8s-library.js';

/** The variables upstream declares for admission expressions (all dynamically typed here). */
export const ADMISSION_VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables', 'authorizer'];

let env: Environment | undefined;
function environment(): Environment {
  if (!env) {
    env = new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true, limits: { maxAstNodes: 10_000, maxDepth: 100, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 } });
    for (const v of ADMISSION_VARIABLES) env.registerVariable(v, 'dyn');
    registerKubernetesLibraries(env);
    registerAuthorizerLibrary(env);
  }
  return env;
}

type Program = (ctx: Record<string, unknown>) => unknown;
const programs = new Map<string, Program>();

/** Parses once (cached by text); throws with the parser's message for bad CEL. */
export function compile(expression: string): Program {
  let p = programs.get(expression);
  if (!p) {
    const parsed = environment().parse(expression) as unknown as Program;
    p = (ctx) => parsed(ctx);
    if (programs.size > 5000) programs.clear();
    programs.set(expression, p);
  }
  return p;
}

/** JSON → CEL values: integers as BigInt, recursively. */
export function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toCel(x);
    return out;
  }
  return v;
}

/** CEL result → something JSON can carry (messages, audit annotations). */
export function fromCel(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(fromCel);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), fromCel(x)]));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCel(x)]));
  return v;
}

export class CelEvaluationError extends Error {}

/**
 * Evaluates with the `authorizer` variable's checks answered: a check not answered yet makes
 * the evaluation fail with it pending; the pending checks are answered and it runs again.
 */
export async function run(expression: string, ctx: Record<string, unknown>): Promise<unknown> {
  const program = compile(expression);
  const session = (ctx.authorizer as Authorizer | undefined)?.session;
  for (let round = 0; ; round++) {
    try {
      return program(ctx);
    } catch (err) {
      if (!session?.pending.length || round > 50) throw err;
      await session.resolvePending();
    }
  }
}

/** Evaluates an expression that must yield a bool. */
export async function evalBool(expression: string, ctx: Record<string, unknown>): Promise<boolean> {
  let r: unknown;
  try { r = await run(expression, ctx); } catch (err) { throw new CelEvaluationError(`expression '${expression}' resulted in error: ${(err as Error).message.split('\n')[0]}`); }
  if (typeof r !== 'boolean') throw new CelEvaluationError(`expression '${expression}' resulted in a ${typeof r === 'bigint' ? 'int' : typeof r}, want bool`);
  return r;
}

/** Evaluates an expression that must yield a string (messageExpression). */
export async function evalString(expression: string, ctx: Record<string, unknown>): Promise<string> {
  let r: unknown;
  try { r = await run(expression, ctx); } catch (err) { throw new CelEvaluationError(`messageExpression '${expression}' resulted in error: ${(err as Error).message.split('\n')[0]}`); }
  if (typeof r !== 'string') throw new CelEvaluationError(`messageExpression '${expression}' resulted in a non-string value`);
  return r;
}

/**
 * Whether the text compiles: it parses, its functions and operators fit their arguments as
 * far as the dynamically typed variables let them be known (cel-js's checker), and, when
 * `want` is given, it yields that type (or dyn). The checker's first line otherwise.
 */
export function compileError(expression: string, want?: 'bool' | 'string'): string | undefined {
  try { compile(expression); } catch (err) { return (err as Error).message.split('\n')[0]; }
  const r = environment().check(expression) as { valid: boolean; type?: string; error?: Error };
  if (!r.valid) return r.error?.message.split('\n')[0] ?? 'type check failed';
  if (want && r.type && r.type !== 'dyn' && r.type !== want) return `cel expression must evaluate to ${want === 'bool' ? 'a bool' : 'a string'}, got ${r.type}`;
  return undefined;
}
