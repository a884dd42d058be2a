// A container's environment: env (literal values with $(VAR) expansion, fieldRef,
// resourceFieldRef, configMapKeyRef, secretKeyRef) and envFrom (configMaps and secrets,
// with prefix), with upstream's error messages for missing required sources, and the
// Service variables (service-env.ts) under them.
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, isNotFound, type RestClient, SECRETS } from '../../client/index.js';
import type { KeyValue } from '../runtime/runtime-service.js';
import { fieldRefValue, resourceFieldValue } from '../volumes/field-ref.js';
import { serviceEnvVars } from './service-env.js';
import type { ServiceLister } from './service-lister.js';

/** $(VAR) from earlier variables; $$(VAR) escapes. */
export function expand(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name) => (m === '$$' ? '$' : vars.get(name) ?? m));
}

class SourceCache {
  private readonly cms = new Map<string, ConfigMap | undefined>();
  private readonly secrets = new Map<string, Secret | undefined>();
  constructor(private readonly client: RestClient | undefined, private readonly ns: string) {}

  async configMap(name: string): Promise<ConfigMap | undefined> {
    if (!this.cms.has(name)) this.cms.set(name, await this.fetch(() => this.client!.resource(CONFIGMAPS).get(this.ns, name)));
    return this.cms.get(name);
  }

  async secret(name: string): Promise<Secret | undefined> {
    if (!this.secrets.has(name)) this.secrets.set(name, await this.fetch(() => this.client!.resource(SECRETS).get(this.ns, name)));
    return this.secrets.get(name);
  }

  private async fetch<T>(get: () => Promise<T>): Promise<T | undefined> {
    if (!this.client) return undefined;
    try { return await get(); } catch (err) { if (isNotFound(err)) return undefined; throw err; }
  }
}

const b64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

/** `services` absent: no API server (standalone), so no Service variables, as upstream. */
export async function containerEnv(pod: Pod, c: Container, client: RestClient | undefined, allocatable: Record<string, string>,
  services: ServiceLister | undefined, staticPod = false): Promise<KeyValue[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const src = new SourceCache(client, ns);
  // Service variables first: envFrom and env override them, and $(VAR) can refer to them
  const vars = serviceEnvVars((await services?.forPod(pod, staticPod)) ?? []);
  for (const ef of c.envFrom ?? []) {
    const prefix = ef.prefix ?? '';
    if (ef.configMapRef) {
      const cm = await src.configMap(ef.configMapRef.name!);
      if (!cm) { if (ef.configMapRef.optional) continue; throw new Error(`configmap "${ef.configMapRef.name}" not found`); }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    }
    if (ef.secretRef) {
      const s = await src.secret(ef.secretRef.name!);
      if (!s) { if (ef.secretRef.optional) continue; throw new Error(`secret "${ef.secretRef.name}" not found`); }
      for (const [k, v] of Object.entries(s.data ?? {})) vars.set(prefix + k, b64(v)!);
    }
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) { vars.set(e.name, expand(e.value ?? '', vars)); continue; }
    if (vf.fieldRef) vars.set(e.name, fieldRefValue(pod, vf.fieldRef));
    else if (vf.resourceFieldRef) vars.set(e.name, resourceFieldValue(pod, vf.resourceFieldRef, c.name, allocatable));
    else if (vf.configMapKeyRef) {
      const r = vf.configMapKeyRef;
      const cm = await src.configMap(r.name!);
      const v = cm?.data?.[r.key];
      if (v === undefined) {
        if (r.optional) continue;
        throw new Error(cm ? `couldn't find key ${r.key} in ConfigMap ${ns}/${r.name}` : `configmap "${r.name}" not found`);
      }
      vars.set(e.name, v);
    } else if (vf.secretKeyRef) {
      const r = vf.secretKeyRef;
      const s = await src.secret(r.name!);
      const v = b64(s?.data?.[r.key]);
      if (v === undefined) {
        if (r.optional) continue;
        throw new Error(s ? `couldn't find key ${r.key} in Secret ${ns}/${r.name}` : `secret "${r.name}" not found`);
      }
      vars.set(e.name, v);
    }
  }
  return [...vars].map(([key, value]) => ({ key, value }));
}
