// A webhook's matchConditions: CEL over object, oldObject, request and authorizer; the
// webhook is called only when every condition is true. An evaluation error is the caller's
// to judge with the webhook's failurePolicy.
import { evalBool } from '../../../api/cel/cel-environment.js';
import { celContext } from '../cel/admission-request.js';
import { celAuthorizer } from '../cel/authorizer.js';
import type { Attributes, PluginContext } from '../plugin.js';

export async function matchConditionsHold(ctx: PluginContext, hook: any, a: Attributes): Promise<boolean> {
  const conditions: any[] = hook.matchConditions ?? [];
  if (!conditions.length) return true;
  const cel = celContext(a, { authorizer: celAuthorizer(ctx, a) });
  let firstError: Error | undefined;
  for (const c of conditions) {
    try {
      // Any false condition decides, even when another one errors (as upstream).
      if (!(await evalBool(c.expression, cel))) return false;
    } catch (err) {
      firstError ??= new Error(`failed to evaluate match condition ${JSON.stringify(c.name)}: ${(err as Error).message}`);
    }
  }
  if (firstError) throw firstError;
  return true;
}
