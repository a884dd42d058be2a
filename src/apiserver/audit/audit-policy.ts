// --audit-policy-file: audit.k8s.io/v1 Policy. The first rule that matches a request sets
// its level (None, Metadata, Request, RequestResponse); no match means None.
import fs from 'node:fs';
import YAML from 'yaml';

export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export const LEVELS: Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface PolicyRule {
  level: Level;
  users?: string[]; userGroups?: string[]; verbs?: string[];
  resources?: Array<{ group?: string; resources?: string[]; resourceNames?: string[] }>;
  namespaces?: string[]; nonResourceURLs?: string[]; omitStages?: string[];
}
export interface Policy { rules: PolicyRule[]; omitStages: string[] }

export interface AuditRequest {
  user: string; groups: string[]; verb: string; isResourceRequest: boolean;
  group: string; resource: string; subresource: string; name: string; namespace: string; path: string;
}

export function parsePolicy(text: string, file = 'audit policy'): Policy {
  let doc: any;
  try { doc = YAML.parse(text, { version: '1.1' }); } catch (err) { throw new Error(`${file}: not YAML or JSON: ${(err as Error).message}`); }
  const bad = (field: string, why: string) => new Error(`${file}: ${field}: ${why}`);
  if (!doc || typeof doc !== 'object') throw bad('(root)', 'expected a Policy object');
  if (doc.kind !== 'Policy') throw bad('kind', `expected Policy, got ${JSON.stringify(doc.kind)}`);
  if (!['audit.k8s.io/v1', 'audit.k8s.io/v1beta1'].includes(doc.apiVersion)) throw bad('apiVersion', `expected audit.k8s.io/v1, got ${JSON.stringify(doc.apiVersion)}`);
  if (!Array.isArray(doc.rules) || !doc.rules.length) throw bad('rules', 'at least one rule is required');
  const checkStages = (field: string, v: unknown) => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((s) => !STAGES.includes(s))) throw bad(field, `stages must be among ${STAGES.join(', ')}`);
    return v as string[];
  };
  const rules = doc.rules.map((r: any, i: number) => {
    if (!LEVELS.includes(r?.level)) throw bad(`rules[${i}].level`, `must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(r?.level)}`);
    if (r.nonResourceURLs && (r.resources || r.namespaces)) throw bad(`rules[${i}]`, 'rules cannot apply to both regular resources and non-resource URLs');
    checkStages(`rules[${i}].omitStages`, r.omitStages);
    return r as PolicyRule;
  });
  return { rules, omitStages: checkStages('omitStages', doc.omitStages) };
}

export function loadPolicy(file: string): Policy {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (err) { throw new Error(`--audit-policy-file: ${(err as Error).message}`); }
  return parsePolicy(text, file);
}

const inList = (list: string[] | undefined, v: string) => !list?.length || list.includes(v);

function ruleMatches(r: PolicyRule, a: AuditRequest): boolean {
  if (!inList(r.users, a.user)) return false;
  if (r.userGroups?.length && !r.userGroups.some((g) => a.groups.includes(g))) return false;
  if (!inList(r.verbs, a.verb)) return false;
  if (r.nonResourceURLs?.length) {
    if (a.isResourceRequest) return false;
    return r.nonResourceURLs.some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (r.resources?.length || r.namespaces?.length) {
    if (!a.isResourceRequest) return false;
    if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
    if (r.resources?.length) {
      const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
      return r.resources.some((g) => (g.group ?? '') === a.group && (!g.resources?.length || g.resources.some((x) => x === '*' || x === full || x === a.resource && !a.subresource
        || (x === `${a.resource}/*` && !!a.subresource) || (x === `*/${a.subresource}` && !!a.subresource)))
        && (!g.resourceNames?.length || g.resourceNames.includes(a.name)));
    }
  }
  return true;
}

/** The level for a request and the stages to leave out. */
export function levelFor(p: Policy, a: AuditRequest): { level: Level; omitStages: string[] } {
  for (const r of p.rules) if (ruleMatches(r, a)) return { level: r.level, omitStages: [...p.omitStages, ...(r.omitStages ?? [])] };
  return { level: 'None', omitStages: p.omitStages };
}
