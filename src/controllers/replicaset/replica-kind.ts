// What differs between ReplicaSets and ReplicationControllers for the shared controller:
// the resource, and how the selector is written (LabelSelector vs. a plain label map).
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { specMatchesLabels } from '../../api/selectors/index.js';
import { REPLICASETS, REPLICATIONCONTROLLERS, type ResourceType } from '../../client/index.js';
import type { KubeObject } from '../../api/resources/resource-def.js';

export interface ReplicaKind {
  type: ResourceType<KubeObject>;
  /** Controller name in the queue, logs and metrics. */
  name: string;
  /** Event source component. */
  component: string;
  matches(owner: KubeObject, labels: Record<string, string> | undefined): boolean;
  /** An empty selector selects nothing for a controller (upstream refuses to act). */
  hasSelector(owner: KubeObject): boolean;
}

const selectorOf = (o: KubeObject): LabelSelector | undefined => o.spec?.selector;

export const REPLICASET_KIND: ReplicaKind = {
  type: REPLICASETS as ResourceType<KubeObject>, name: 'replicaset', component: 'replicaset-controller',
  matches: (o, labels) => specMatchesLabels(selectorOf(o), labels),
  hasSelector: (o) => !!(Object.keys(o.spec?.selector?.matchLabels ?? {}).length || (o.spec?.selector?.matchExpressions ?? []).length),
};

export const RC_KIND: ReplicaKind = {
  type: REPLICATIONCONTROLLERS as ResourceType<KubeObject>, name: 'replicationcontroller', component: 'replication-controller',
  matches: (o, labels) => {
    const sel: Record<string, string> = o.spec?.selector ?? o.spec?.template?.metadata?.labels ?? {};
    return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels?.[k] === v);
  },
  hasSelector: (o) => Object.keys(o.spec?.selector ?? o.spec?.template?.metadata?.labels ?? {}).length > 0,
};
