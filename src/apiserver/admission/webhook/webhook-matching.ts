// Which webhooks a request goes to: rules (operations, groups, versions, resources with
// "*", "pods/*" and "*/status", scope), then namespaceSelector and objectSelector.
import { specMatchesLabels } from '../../../api/selectors/index.js';
import type { KubeObject } from '../../../api/resources/resource-def.js';
import type { Attributes } from '../plugin.js';

const any = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function resourceMatches(patterns: string[] | undefined, resource: string, sub: string): boolean {
  for (const p of patterns ?? []) {
    const [pr, ps] = p.split('/');
    const resOk = pr === '*' || pr === resource;
    const subOk = ps === undefined ? !sub : ps === '*' || ps === sub;
    if (resOk && subOk) return true;
  }
  return false;
}

export function ruleMatches(rule: any, a: Attributes): boolean {
  if (!any(rule.operations, a.operation)) return false;
  if (!any(rule.apiGroups, a.def.group) || !any(rule.apiVersions, a.def.version)) return false;
  if (!resourceMatches(rule.resources, a.def.plural, a.subresource ?? '')) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && a.def.namespaced) return false;
  if (scope === 'Namespaced' && !a.def.namespaced) return false;
  return true;
}

/** namespaceSelector: matched against the namespace's labels (a Namespace object: its own). */
export async function selectorsMatch(hook: any, a: Attributes, namespaceLabels: (ns: string) => Promise<Record<string, string> | undefined>): Promise<boolean> {
  const obj: KubeObject | undefined = a.object ?? a.oldObject;
  if (hook.objectSelector && Object.keys(hook.objectSelector).length) {
    const ok = [a.object, a.oldObject].some((o) => o && specMatchesLabels(hook.objectSelector, o.metadata?.labels ?? {}));
    if (!ok) return false;
  }
  if (hook.namespaceSelector && Object.keys(hook.namespaceSelector).length) {
    let labels: Record<string, string> | undefined;
    if (a.def.group === '' && a.def.plural === 'namespaces') labels = obj?.metadata?.labels ?? {};
    else if (!a.def.namespaced) return true;
    else labels = (await namespaceLabels(a.namespace)) ?? {};
    if (!specMatchesLabels(hook.namespaceSelector, labels)) return false;
  }
  return true;
}
