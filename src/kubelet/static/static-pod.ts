// A static pod as the kubelet reads it from a manifest file: named NAME-NODENAME, bound to
// the node, its UID and config hash derived from the file's content and the node, so an
// edited file is a new pod and an unchanged one keeps its identity across restarts.
import { createHash } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { defaultPod } from '../../api/defaults/pod-defaults.js';
import type { KubeObject } from '../../api/resources/resource-def.js';
import { formatTime } from '../../client/index.js';

export const CONFIG_HASH = 'kubernetes.io/config.hash';
export const CONFIG_MIRROR = 'kubernetes.io/config.mirror';
export const CONFIG_SOURCE = 'kubernetes.io/config.source';
export const CONFIG_SEEN = 'kubernetes.io/config.seen';

export const isMirrorPod = (p: Pod): boolean => !!p.metadata?.annotations?.[CONFIG_MIRROR];

/** Builds the static pod from a decoded manifest; throws with a clear message on bad input. */
export function staticPod(doc: unknown, file: string, text: string, nodeName: string): Pod {
  const pod = doc as Pod;
  if (!pod || typeof pod !== 'object' || Array.isArray(pod)) throw new Error(`${file}: not an object`);
  if (pod.kind !== 'Pod' || (pod.apiVersion !== 'v1' && pod.apiVersion !== undefined)) throw new Error(`${file}: want kind Pod, apiVersion v1 (got ${pod.kind} ${pod.apiVersion})`);
  if (!pod.metadata?.name) throw new Error(`${file}: metadata.name is required`);
  if (!pod.spec?.containers?.length) throw new Error(`${file}: spec.containers must not be empty`);
  const hash = createHash('md5').update(`host:${nodeName}\n`).update(text).digest('hex');
  const m = pod.metadata as { -readonly [K in keyof NonNullable<Pod['metadata']>]: NonNullable<Pod['metadata']>[K] };
  m.name = `${m.name}-${nodeName}`;
  m.namespace ||= 'default';
  m.uid ||= hash;
  m.annotations = { ...(m.annotations ?? {}), [CONFIG_HASH]: hash, [CONFIG_SOURCE]: 'file', [CONFIG_SEEN]: formatTime() };
  m.creationTimestamp ||= formatTime();
  pod.apiVersion = 'v1';
  pod.spec!.nodeName = nodeName;
  // static pods tolerate every NoExecute taint, as upstream makes them
  pod.spec!.tolerations = [...(pod.spec!.tolerations ?? []), { operator: 'Exists', effect: 'NoExecute' }];
  defaultPod(pod as KubeObject);
  (pod as { status?: Pod['status'] }).status = { phase: 'Pending' };
  return pod;
}
