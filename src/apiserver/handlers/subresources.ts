// The scale subresource (autoscaling/v1 Scale over spec.replicas) and pods/binding
// (the scheduler's way to set spec.nodeName once).
import type { KubeObject } from '../../api/resources/resource-def.js';
import { labelSelectorFromSpec } from '../../api/selectors/index.js';
import { newBadRequest, newConflict, newInvalid, newMethodNotSupported, invalid, notSupported, required } from '../../api/status/index.js';
import { sendJSON } from '../http/respond.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { nowTimestamp } from '../registry/object-meta.js';
import { type RequestContext, fieldManager, isDryRun } from './request-context.js';
import { applyPatchBody } from './patch-handler.js';

/** ReplicationControllers select with a plain map; the apps kinds with a LabelSelector. */
function scaleSelector(obj: KubeObject): string {
  const sel = obj.spec?.selector;
  if (obj.kind === 'ReplicationController') return Object.keys(sel ?? {}).sort().map((k) => `${k}=${sel[k]}`).join(',');
  return labelSelectorFromSpec(sel).toString();
}

/** A value at a simple JSON path (".spec.replicas"), as CRD scale subresources name them. */
function atPath(obj: KubeObject, path: string): unknown {
  return path.split('.').filter(Boolean).reduce<any>((o, k) => o?.[k], obj);
}

function setPath(obj: KubeObject, path: string, value: unknown): void {
  const keys = path.split('.').filter(Boolean);
  let o: any = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {});
  o[keys[keys.length - 1]] = value;
}

export function toScale(obj: KubeObject, paths?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string }): KubeObject {
  const m = obj.metadata ?? {};
  if (paths) {
    const selector = paths.labelSelectorPath ? atPath(obj, paths.labelSelectorPath) : undefined;
    return {
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
      spec: { replicas: atPath(obj, paths.specReplicasPath) ?? 0 },
      status: { replicas: atPath(obj, paths.statusReplicasPath) ?? 0, ...(typeof selector === 'string' ? { selector } : {}) },
    };
  }
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: scaleSelector(obj) },
  };
}

/**
 * GET/PUT/PATCH …/scale. Admission sees an UPDATE of RESOURCE/scale with autoscaling/v1 Scale
 * objects (a policy on deployments does not see `kubectl scale`, as upstream); the write of
 * the scaled object is not admitted again.
 */
export async function serveScale(ctx: RequestContext, ns: string): Promise<void> {
  const { def, registry, info } = ctx;
  const paths = def.custom?.scale;
  if (info.verb === 'get') return sendJSON(ctx.res, 200, toScale(await registry.get(def, ns, info.name), paths));
  if (info.verb !== 'update' && info.verb !== 'patch') throw newMethodNotSupported({ group: def.group, resource: `${def.plural}/scale` }, info.verb);
  const raw = await readBody(ctx.req);
  const dryRun = isDryRun(ctx);
  const { obj } = await registry.admitted().update(def, ns, info.name, async (cur) => {
    const old = toScale(cur, paths);
    let scale = info.verb === 'update' ? decodeObject(raw, mediaType(ctx.req)) : await applyPatchBody(ctx, structuredClone(old), raw);
    const admit = { operation: 'UPDATE' as const, def, namespace: ns, name: info.name, subresource: 'scale', oldObject: old, dryRun };
    if (registry.admission) scale = (await registry.admission.mutate({ ...admit, object: scale })) ?? scale;
    const replicas = scale.spec?.replicas;
    if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
      throw newInvalid({ group: 'autoscaling', kind: 'Scale' }, info.name, [invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
    }
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== cur.metadata?.resourceVersion) throw newConflict({ group: def.group, resource: def.plural }, info.name);
    await registry.admission?.validate({ ...admit, object: scale });
    if (paths) setPath(cur, paths.specReplicasPath, replicas ?? 0);
    else cur.spec = { ...(cur.spec ?? {}), replicas: replicas ?? 0 };
    return cur;
  }, { dryRun, fieldManager: fieldManager(ctx) });
  sendJSON(ctx.res, 200, toScale(obj, paths));
}

/**
 * pods/binding, as upstream's BindingREST: admission sees a CREATE of pods/binding with the
 * Binding (webhooks and policies on pods/binding, not on pods); the pod update it makes is
 * not admitted again. The Binding's annotations are copied onto the pod.
 */
export async function serveBinding(ctx: RequestContext, ns: string): Promise<void> {
  const { def, registry, info } = ctx;
  if (info.verb !== 'create') throw newMethodNotSupported({ group: '', resource: 'pods/binding' }, info.verb);
  let binding = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  if (binding.kind && binding.kind !== 'Binding') throw newBadRequest(`the kind in the data (${binding.kind}) does not match the expected kind (Binding)`);
  if (binding.metadata?.name && binding.metadata.name !== info.name) throw newBadRequest('name in URL does not match name in Binding object');
  const dryRun = isDryRun(ctx);
  const admit = { operation: 'CREATE' as const, def, namespace: ns, name: info.name, subresource: 'binding', dryRun };
  if (registry.admission) binding = (await registry.admission.mutate({ ...admit, object: binding })) ?? binding;
  validateBinding(binding, info.name);
  await registry.admission?.validate({ ...admit, object: binding });
  const node: string = binding.target.name;
  const annotations: Record<string, string> = binding.metadata?.annotations ?? {};
  await registry.admitted().update(def, ns, info.name, (pod) => {
    if (pod.metadata?.deletionTimestamp) throw newConflict({ group: '', resource: 'pods' }, info.name, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec?.nodeName) throw newConflict({ group: '', resource: 'pods' }, info.name, `pod ${info.name} is already assigned to node "${pod.spec.nodeName}"`);
    const uid = binding.metadata?.uid;
    if (uid && uid !== pod.metadata?.uid) throw newConflict({ group: '', resource: 'pods' }, info.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata?.uid}`);
    const rv = binding.metadata?.resourceVersion;
    if (rv && rv !== pod.metadata?.resourceVersion) throw newConflict({ group: '', resource: 'pods' }, info.name, `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${pod.metadata?.resourceVersion}`);
    if (Object.keys(annotations).length) pod.metadata = { ...pod.metadata, annotations: { ...(pod.metadata?.annotations ?? {}), ...annotations } };
    pod.spec.nodeName = node;
    const conds = (pod.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
    pod.status = { ...(pod.status ?? {}), conditions: conds };
    return pod;
  }, { subresource: 'allfields', dryRun });
  sendJSON(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** Upstream's ValidatePodBinding: a target name, and a target kind of Node or none. */
function validateBinding(binding: KubeObject, name: string): void {
  const errs = [];
  const kind = binding.target?.kind;
  if (kind && kind !== 'Node') errs.push(notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!binding.target?.name) errs.push(required('target.name'));
  if (errs.length) throw newInvalid({ group: '', kind: 'Binding' }, binding.metadata?.name ?? name, errs);
}
