// Whether one PolicyRule covers a request, as upstream's rbac.RuleAllows: verbs, API
// groups, resources (with "*/subresource"), resource names, and non-resource URLs.
import type { Attributes } from '../authorizer.js';

export interface PolicyRule { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

export function verbMatches(r: PolicyRule, verb: string): boolean { return has(r.verbs, verb); }
export function apiGroupMatches(r: PolicyRule, group: string): boolean { return has(r.apiGroups, group); }

export function resourceMatches(r: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const x of r.resources ?? []) {
    if (x === '*' || x === combined) return true;
    if (subresource && x.startsWith('*/') && x.slice(2) === subresource) return true;
  }
  return false;
}

export function resourceNameMatches(r: PolicyRule, name: string): boolean {
  if (!r.resourceNames?.length) return true;
  return !!name && r.resourceNames.includes(name);
}

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const u of r.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(a: Attributes, r: PolicyRule): boolean {
  if (a.isResourceRequest) {
    return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) && resourceMatches(r, a.resource, a.subresource) && resourceNameMatches(r, a.name);
  }
  return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
}
