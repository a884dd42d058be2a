// Mutating/ValidatingWebhookConfiguration: upstream's v1 defaults and the checks it makes at
// create/update, with its field paths and messages.
import { compileError } from '../cel/cel-environment.js';
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, duplicate, invalid, notSupported, required } from '../status/index.js';

const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];

export function defaultWebhookConfiguration(mutating: boolean) {
  return (obj: KubeObject): void => {
    for (const w of obj.webhooks ?? []) {
      w.failurePolicy ??= 'Fail';
      w.matchPolicy ??= 'Equivalent';
      w.namespaceSelector ??= {};
      w.objectSelector ??= {};
      w.timeoutSeconds ??= 10;
      if (mutating) w.reinvocationPolicy ??= 'Never';
      for (const r of w.rules ?? []) r.scope ??= '*';
      if (w.clientConfig?.service) w.clientConfig.service.port ??= 443;
    }
  };
}

function validateClientConfig(errs: FieldError[], p: string, cc: any): void {
  if (!cc || !!cc.url === !!cc.service) { errs.push(required(`${p}.clientConfig`, 'exactly one of url or service is required')); return; }
  if (cc.url) {
    let u: URL | undefined;
    try { u = new URL(cc.url); } catch { errs.push(invalid(`${p}.clientConfig.url`, cc.url, 'host must be specified')); }
    if (u && u.protocol !== 'https:') errs.push(invalid(`${p}.clientConfig.url`, cc.url, "'https' is the only allowed URL scheme"));
    if (u && (u.username || u.password)) errs.push(invalid(`${p}.clientConfig.url`, cc.url, 'user information is not permitted in the URL'));
    if (u && (u.hash || u.search)) errs.push(invalid(`${p}.clientConfig.url`, cc.url, `${u.hash ? 'fragments' : 'query parameters'} are not permitted in the URL`));
    return;
  }
  const s = cc.service;
  const sp = `${p}.clientConfig.service`;
  if (!s.namespace) errs.push(required(`${sp}.namespace`, 'service namespace is required'));
  if (!s.name) errs.push(required(`${sp}.name`, 'service name is required'));
  if (s.path !== undefined && !String(s.path).startsWith('/')) errs.push(invalid(`${sp}.path`, s.path, "must start with a '/'"));
  if (s.port !== undefined && !(Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535)) errs.push(invalid(`${sp}.port`, s.port, 'port is not valid: must be between 1 and 65535, inclusive'));
}

function validateHook(errs: FieldError[], p: string, w: any, mutating: boolean): void {
  if (!w.name) errs.push(required(`${p}.name`, ''));
  else if (String(w.name).split('.').length < 3) errs.push(invalid(`${p}.name`, w.name, 'should be a domain with at least three segments separated by dots'));
  const one = (field: string, v: unknown, allowed: string[]) => { if (v !== undefined && !allowed.includes(String(v))) errs.push(notSupported(`${p}.${field}`, v, allowed)); };
  if (w.sideEffects === undefined) errs.push(required(`${p}.sideEffects`, 'must specify one of None, NoneOnDryRun'));
  else one('sideEffects', w.sideEffects, ['None', 'NoneOnDryRun']);
  const versions: unknown[] = w.admissionReviewVersions ?? [];
  if (!versions.some((v) => v === 'v1' || v === 'v1beta1')) errs.push(required(`${p}.admissionReviewVersions`, 'must specify one of v1, v1beta1'));
  one('failurePolicy', w.failurePolicy, ['Fail', 'Ignore']);
  one('matchPolicy', w.matchPolicy, ['Equivalent', 'Exact']);
  if (mutating) one('reinvocationPolicy', w.reinvocationPolicy, ['IfNeeded', 'Never']);
  if (w.timeoutSeconds !== undefined && !(w.timeoutSeconds >= 1 && w.timeoutSeconds <= 30)) errs.push(invalid(`${p}.timeoutSeconds`, w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  (w.rules ?? []).forEach((r: any, j: number) => {
    const rp = `${p}.rules[${j}]`;
    if (!r.operations?.length) errs.push(required(`${rp}.operations`, ''));
    (r.operations ?? []).forEach((o: unknown, k: number) => { if (!OPERATIONS.includes(String(o))) errs.push(notSupported(`${rp}.operations[${k}]`, o, OPERATIONS)); });
    if (!r.apiGroups?.length) errs.push(required(`${rp}.apiGroups`, ''));
    if (!r.apiVersions?.length) errs.push(required(`${rp}.apiVersions`, ''));
    if (!r.resources?.length) errs.push(required(`${rp}.resources`, ''));
    if (r.scope !== undefined && !['*', 'Cluster', 'Namespaced'].includes(r.scope)) errs.push(notSupported(`${rp}.scope`, r.scope, ['*', 'Cluster', 'Namespaced']));
  });
  validateClientConfig(errs, p, w.clientConfig);
  const names = new Set<string>();
  if ((w.matchConditions ?? []).length > 64) errs.push(invalid(`${p}.matchConditions`, w.matchConditions.length, 'must have at most 64 items'));
  (w.matchConditions ?? []).forEach((m: any, j: number) => {
    const mp = `${p}.matchConditions[${j}]`;
    if (!m?.name) errs.push(required(`${mp}.name`, ''));
    else if (names.has(m.name)) errs.push(duplicate(`${mp}.name`, m.name));
    else names.add(m.name);
    if (typeof m?.expression !== 'string' || !m.expression.trim()) { errs.push(required(`${mp}.expression`, '')); return; }
    const e = compileError(m.expression, 'bool');
    if (e) errs.push(invalid(`${mp}.expression`, m.expression, `compilation failed: ${e}`));
  });
}

export function validateWebhookConfiguration(mutating: boolean) {
  return (obj: KubeObject): FieldError[] => {
    const errs: FieldError[] = [];
    const seen = new Set<string>();
    (obj.webhooks ?? []).forEach((w: any, i: number) => {
      validateHook(errs, `webhooks[${i}]`, w ?? {}, mutating);
      if (w?.name) { if (seen.has(w.name)) errs.push(duplicate(`webhooks[${i}].name`, w.name)); seen.add(w.name); }
    });
    return errs;
  };
}
