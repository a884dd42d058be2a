// Upstream's etcd key layout: PREFIX/STORAGEPATH[/NAMESPACE]/NAME.
import type { ResourceDef } from '../../api/resources/resource-def.js';

export const resourcePrefix = (etcdPrefix: string, def: ResourceDef) => `${etcdPrefix}/${def.storagePath ?? def.plural}/`;

/** The prefix holding one namespace's objects, or all of them when ns is empty. */
export const listPrefix = (etcdPrefix: string, def: ResourceDef, ns: string) =>
  def.namespaced && ns ? `${resourcePrefix(etcdPrefix, def)}${ns}/` : resourcePrefix(etcdPrefix, def);

export const objectKey = (etcdPrefix: string, def: ResourceDef, ns: string, name: string) =>
  def.namespaced ? `${resourcePrefix(etcdPrefix, def)}${ns}/${name}` : `${resourcePrefix(etcdPrefix, def)}${name}`;
