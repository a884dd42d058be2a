// Materializes a pod's volumes under ROOT/pods/UID/volumes/kubernetes.io~PLUGIN/NAME for
// runtimes that run real processes, and turns volumeMounts into runtime mounts:
// emptyDir, hostPath (with its type checks), configMap, secret, downwardAPI, projected
// (configMap, secret, downwardAPI, serviceAccountToken via TokenRequest when the API server
// has it, else skipped with an event; kube-root-ca.crt is a configMap source) and
// persistentVolumeClaim bound to hostPath or local PersistentVolumes. The API-backed kinds
// are written atomically (atomic-writer.ts) and refreshed on the pod's periodic sync, as
// upstream: a changed ConfigMap, Secret or label reaches a running container, and projected
// tokens are requested again once 80 % of their lifetime has passed.
import fs from 'node:fs';
import path from 'node:path';
import type { Container, KeyToPath, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { CONFIGMAPS, isNotFound, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, type RestClient, SECRETS, SERVICEACCOUNTS } from '../../client/index.js';
import { volumeDir } from '../kubelet-paths.js';
import type { Mount } from '../runtime/runtime-service.js';
import { type Files, writeAtomically, writtenAt } from './atomic-writer.js';
import { fieldRefValue, resourceFieldValue } from './field-ref.js';

export interface VolumeContext {
  rootDir: string;
  client?: RestClient;
  allocatable: Record<string, string>;
  /** Tells the user something was skipped (an Event on the pod). */
  warn(reason: string, message: string): void;
}

async function getOrUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try { return await fn(); } catch (err) { if (isNotFound(err)) return undefined; throw err; }
}

function pick(data: Record<string, Buffer>, items: KeyToPath[] | undefined, what: string, optional: boolean, files: Files, defaultMode?: number): void {
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) files.set(k, { data: v, mode: defaultMode });
    return;
  }
  for (const it of items) {
    if (!(it.key in data)) { if (optional) continue; throw new Error(`configmap references non-existent config key: ${it.key} (${what})`); }
    files.set(it.path, { data: data[it.key], mode: it.mode ?? defaultMode });
  }
}

const strData = (d?: Record<string, string>) => Object.fromEntries(Object.entries(d ?? {}).map(([k, v]) => [k, Buffer.from(v)]));
const b64Data = (d?: Record<string, string>) => Object.fromEntries(Object.entries(d ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));

async function configMapFiles(ctx: VolumeContext, ns: string, name: string, items: KeyToPath[] | undefined, optional: boolean, files: Files, mode?: number) {
  const cm = ctx.client ? await getOrUndefined(() => ctx.client!.resource(CONFIGMAPS).get(ns, name)) : undefined;
  if (!cm) { if (optional) return; throw new Error(`configmap "${name}" not found`); }
  pick({ ...strData(cm.data), ...b64Data(cm.binaryData) }, items, `configmap ${name}`, optional, files, mode);
}

async function secretFiles(ctx: VolumeContext, ns: string, name: string, items: KeyToPath[] | undefined, optional: boolean, files: Files, mode?: number) {
  const s = ctx.client ? await getOrUndefined(() => ctx.client!.resource(SECRETS).get(ns, name)) : undefined;
  if (!s) { if (optional) return; throw new Error(`secret "${name}" not found`); }
  pick({ ...b64Data(s.data), ...strData(s.stringData) }, items, `secret ${name}`, optional, files, mode);
}

function downwardFiles(pod: Pod, ctx: VolumeContext, items: NonNullable<Volume['downwardAPI']>['items'], files: Files, mode?: number) {
  for (const it of items ?? []) {
    const v = it.fieldRef ? fieldRefValue(pod, it.fieldRef) : it.resourceFieldRef ? resourceFieldValue(pod, it.resourceFieldRef, undefined, ctx.allocatable) : '';
    files.set(it.path, { data: Buffer.from(v), mode: it.mode ?? mode });
  }
}

async function tokenFile(pod: Pod, ctx: VolumeContext, src: { audience?: string; expirationSeconds?: number; path: string }, files: Files, mode: number | undefined, dir: string) {
  const sa = pod.spec?.serviceAccountName || 'default';
  // upstream's token manager: keep the token until 80 % of its lifetime has passed
  const had = writtenAt(dir, src.path);
  if (had && Date.now() - had.mtimeMs < 0.8 * (src.expirationSeconds ?? 3600) * 1000) { files.set(src.path, { data: had.data, mode, mtimeMs: had.mtimeMs }); return; }
  const ns = pod.metadata?.namespace ?? 'default';
  try {
    const ref = { ...ctx.client!.resource(SERVICEACCOUNTS).ref(ns, sa, 'token') };
    const tr = await ctx.client!.create<{ status?: { token?: string } }>(ref, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      spec: { audiences: src.audience ? [src.audience] : [], expirationSeconds: src.expirationSeconds ?? 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name, uid: pod.metadata?.uid } },
    } as never);
    if (tr.status?.token) files.set(src.path, { data: Buffer.from(tr.status.token), mode });
  } catch (err) {
    ctx.warn('FailedMount', `serviceAccountToken for ${sa} skipped: the API server has no TokenRequest (${(err as Error).message})`);
  }
}

async function hostPathOf(pod: Pod, v: Volume, ctx: VolumeContext): Promise<string> {
  if (v.hostPath) {
    const p = v.hostPath.path;
    const type = v.hostPath.type ?? '';
    const exists = fs.existsSync(p);
    if (type === 'DirectoryOrCreate' && !exists) fs.mkdirSync(p, { recursive: true, mode: 0o755 });
    else if (type === 'FileOrCreate' && !exists) { fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, '', { mode: 0o644 }); }
    else if (type === 'Directory' && !(exists && fs.statSync(p).isDirectory())) throw new Error(`hostPath type check failed: ${p} is not a directory`);
    else if (type === 'File' && !(exists && fs.statSync(p).isFile())) throw new Error(`hostPath type check failed: ${p} is not a file`);
    else if (type === 'Socket' && !(exists && fs.statSync(p).isSocket())) throw new Error(`hostPath type check failed: ${p} is not a socket file`);
    return p;
  }
  const ns = pod.metadata?.namespace ?? 'default';
  const claim = v.persistentVolumeClaim!.claimName;
  const pvc = ctx.client ? await getOrUndefined(() => ctx.client!.resource(PERSISTENTVOLUMECLAIMS).get(ns, claim)) : undefined;
  if (!pvc) throw new Error(`persistentvolumeclaim "${claim}" not found`);
  if (!pvc.spec?.volumeName) throw new Error(`persistentvolumeclaim "${claim}" is not bound`);
  const pv = await getOrUndefined(() => ctx.client!.resource(PERSISTENTVOLUMES).get('', pvc.spec!.volumeName!));
  const p = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
  if (!p) throw new Error(`persistentvolume "${pvc.spec.volumeName}" is neither hostPath nor local`);
  return p;
}

/** Sets up every volume of the pod; returns volume name → host directory (or file). */
export async function setUpVolumes(pod: Pod, ctx: VolumeContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const v of pod.spec?.volumes ?? []) {
    try {
      await setUpVolume(pod, v, ctx, out);
    } catch (err) {
      throw new Error(`MountVolume.SetUp failed for volume ${JSON.stringify(v.name)} : ${(err as Error).message}`);
    }
  }
  return out;
}

async function setUpVolume(pod: Pod, v: Volume, ctx: VolumeContext, out: Map<string, string>): Promise<void> {
  const uid = pod.metadata!.uid!;
  const ns = pod.metadata?.namespace ?? 'default';
  {
    const dir = (plugin: string) => volumeDir(ctx.rootDir, uid, plugin, v.name);
    const files: Files = new Map();
    if (v.emptyDir) { fs.mkdirSync(dir('empty-dir'), { recursive: true, mode: 0o777 }); out.set(v.name, dir('empty-dir')); return; }
    if (v.hostPath || v.persistentVolumeClaim) { out.set(v.name, await hostPathOf(pod, v, ctx)); return; }
    if (v.configMap) {
      await configMapFiles(ctx, ns, v.configMap.name!, v.configMap.items, !!v.configMap.optional, files, v.configMap.defaultMode);
      writeAtomically(dir('configmap'), files, v.configMap.defaultMode);
      out.set(v.name, dir('configmap'));
    } else if (v.secret) {
      await secretFiles(ctx, ns, v.secret.secretName!, v.secret.items, !!v.secret.optional, files, v.secret.defaultMode);
      writeAtomically(dir('secret'), files, v.secret.defaultMode);
      out.set(v.name, dir('secret'));
    } else if (v.downwardAPI) {
      downwardFiles(pod, ctx, v.downwardAPI.items, files, v.downwardAPI.defaultMode);
      writeAtomically(dir('downward-api'), files, v.downwardAPI.defaultMode);
      out.set(v.name, dir('downward-api'));
    } else if (v.projected) {
      const mode = v.projected.defaultMode;
      for (const s of v.projected.sources ?? []) {
        if (s.configMap) await configMapFiles(ctx, ns, s.configMap.name!, s.configMap.items, !!s.configMap.optional, files, mode);
        if (s.secret) await secretFiles(ctx, ns, s.secret.name!, s.secret.items, !!s.secret.optional, files, mode);
        if (s.downwardAPI) downwardFiles(pod, ctx, s.downwardAPI.items, files, mode);
        if (s.serviceAccountToken) await tokenFile(pod, ctx, s.serviceAccountToken, files, mode, dir('projected'));
      }
      writeAtomically(dir('projected'), files, mode);
      out.set(v.name, dir('projected'));
    } else {
      ctx.warn('FailedMount', `volume ${v.name}: this kubelet does not support its volume type; skipped`);
    }
  }
}

const refreshable = (v: Volume) => !!(v.configMap || v.secret || v.downwardAPI || v.projected);

/**
 * The periodic remount of a running pod (upstream's reconciler remounts these kinds on every
 * pod sync): writes again what changed; a failure keeps the files the pod already has.
 */
export async function refreshVolumes(pod: Pod, ctx: VolumeContext): Promise<void> {
  for (const v of (pod.spec?.volumes ?? []).filter(refreshable)) {
    try {
      await setUpVolume(pod, v, ctx, new Map());
    } catch (err) {
      ctx.warn('FailedMount', `MountVolume.SetUp failed for volume ${JSON.stringify(v.name)} : ${(err as Error).message}`);
    }
  }
}

export function containerMounts(c: Container, volumes: Map<string, string>): Mount[] {
  return (c.volumeMounts ?? []).filter((m) => volumes.has(m.name)).map((m) => ({
    containerPath: m.mountPath, hostPath: m.subPath ? path.join(volumes.get(m.name)!, m.subPath) : volumes.get(m.name)!, readonly: !!m.readOnly,
  }));
}

export function tearDownVolumes(rootDir: string, uid: string): void {
  fs.rmSync(path.join(rootDir, 'pods', uid), { recursive: true, force: true });
}
