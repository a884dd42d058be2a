// Whether a request falls under a policy's matchConstraints or a binding's matchResources:
// resourceRules (with resourceNames), minus excludeResourceRules, then namespaceSelector and
// objectSelector — the webhooks' rule and selector matching (webhook-matching.ts).
import type { Attributes } from '../plugin.js';
import { ruleMatches, selectorsMatch } from '../webhook/webhook-matching.js';

const nameMatches = (rule: any, a: Attributes) => !rule.resourceNames?.length || rule.resourceNames.includes(a.name || a.object?.metadata?.name);
const anyRule = (rules: any[] | undefined, a: Attributes) => (rules ?? []).some((r) => ruleMatches(r, a) && nameMatches(r, a));

/** `emptyMeansAll`: a binding's matchResources without resourceRules narrows nothing by resource. */
export async function resourcesMatch(mr: any, a: Attributes, nsLabels: (ns: string) => Promise<Record<string, string> | undefined>, emptyMeansAll = false): Promise<boolean> {
  if (!mr) return emptyMeansAll;
  if (!(emptyMeansAll && !mr.resourceRules?.length) && !anyRule(mr.resourceRules, a)) return false;
  if (anyRule(mr.excludeResourceRules, a)) return false;
  return selectorsMatch(mr, a, nsLabels);
}
