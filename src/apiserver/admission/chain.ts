// The admission chain the registry calls: mutating plugins in order, then validating
// plugins in order, for writes made on behalf of a request (the scope a request's registry binds).
import type { KubeObject } from '../../api/resources/resource-def.js';
import { rollBack, type AdmissionCall, type AdmissionHook } from './admission-hook.js';
import type { AdmissionPlugin, Attributes } from './plugin.js';
import type { RequestScope } from './request-scope.js';

export class AdmissionChain implements AdmissionHook {
  constructor(readonly plugins: AdmissionPlugin[]) {}

  async mutate(call: AdmissionCall, scope?: RequestScope): Promise<KubeObject | undefined> {
    if (!scope) return call.object;
    const a: Attributes = { ...call, user: scope.user, warn: scope.warn ?? (() => {}), annotate: scope.annotate };
    a.reinvocationKey = a;
    for (const p of this.plugins) if (p.admit) await p.admit(a);
    // Upstream's reinvocation: plugins that ask for it run once more, in order, when a
    // later one changed the object (mutating webhooks with reinvocationPolicy IfNeeded).
    const again = this.plugins.filter((p) => p.admit && p.shouldReinvoke?.(a));
    if (again.length) {
      a.reinvoking = true;
      for (const p of again) await p.admit!(a);
    }
    return a.object;
  }

  async validate(call: AdmissionCall, scope?: RequestScope): Promise<void> {
    if (!scope) return;
    const a: Attributes = { ...call, user: scope.user, warn: scope.warn ?? (() => {}), annotate: scope.annotate };
    try {
      for (const p of this.plugins) if (p.validate) await p.validate(a);
    } catch (err) {
      await rollBack(call);
      throw err;
    }
  }

  async start(): Promise<void> { for (const p of this.plugins) await p.start?.(); }
  stop(): void { for (const p of this.plugins) p.stop?.(); }
}
