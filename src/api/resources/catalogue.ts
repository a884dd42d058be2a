// Every served resource, looked up by group/version/plural. Groups list in discovery order.
import type { ResourceDef } from './resource-def.js';
import { coreV1 } from './core-v1.js';
import { appsV1 } from './apps-v1.js';
import { coordinationV1 } from './coordination-v1.js';
import { batchV1 } from './batch-v1.js';
import { rbacV1 } from './rbac-v1.js';
import { clusterGroups } from './cluster-groups.js';
import { policyV1 } from './policy-v1.js';
import { schedulingV1 } from './scheduling-v1.js';
import { eventsV1 } from './events-v1.js';
import { apiextensionsV1 } from './apiextensions-v1.js';
import { securityGroups } from './security-groups.js';
import { autoscalingV1 } from './autoscaling-v1.js';
import { apiregistrationV1 } from './apiregistration-v1.js';

export class Catalogue {
  private readonly byPath = new Map<string, ResourceDef>();
  readonly all: ResourceDef[] = [];

  constructor(defs: ResourceDef[]) {
    for (const d of defs) this.add(d);
  }

  add(def: ResourceDef): void {
    this.byPath.set(`${def.group}/${def.version}/${def.plural}`, def);
    this.all.push(def);
  }

  /** Stops serving a resource (a CustomResourceDefinition was deleted or changed). */
  remove(def: ResourceDef): void {
    const key = `${def.group}/${def.version}/${def.plural}`;
    if (this.byPath.get(key) === def) this.byPath.delete(key);
    const i = this.all.indexOf(def);
    if (i >= 0) this.all.splice(i, 1);
  }

  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** Groups in first-declared order, each with its versions (one per group for now). */
  groups(): Array<{ group: string; versions: string[] }> {
    const out: Array<{ group: string; versions: string[] }> = [];
    for (const d of this.all) {
      let g = out.find((x) => x.group === d.group);
      if (!g) out.push(g = { group: d.group, versions: [] });
      if (!g.versions.includes(d.version)) g.versions.push(d.version);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceDef[] {
    return this.all.filter((d) => d.group === group && d.version === version);
  }
}

export const builtinResources = (): ResourceDef[] => [...coreV1, ...apiregistrationV1, ...appsV1, ...batchV1, ...coordinationV1, ...policyV1, ...schedulingV1, ...rbacV1, ...clusterGroups, ...autoscalingV1, ...eventsV1, ...apiextensionsV1, ...securityGroups];
