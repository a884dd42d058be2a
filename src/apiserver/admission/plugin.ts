// An admission plugin: one file each under plugins/, built by a factory that a registry
// maps by upstream name (how --enable-admission-plugins turns them on and off).
import type { KubeObject } from '../../api/resources/resource-def.js';
import type { UserInfo } from '../authn/user-info.js';
import type { Registry } from '../registry/registry.js';
import type { AdmissionCall } from './admission-hook.js';

export interface Attributes extends AdmissionCall {
  user: UserInfo;
  /** Adds a `Warning: 299 - "..."` header to the response. */
  warn(text: string): void;
  /** Adds an annotation to the request's audit event (absent when nothing audits the request). */
  annotate?(key: string, value: string): void;
  /** Set on the second (reinvocation) pass of the mutating plugins. */
  reinvoking?: boolean;
  /** The same object on both passes, for a plugin's per-request bookkeeping. */
  reinvocationKey?: object;
}

export interface MutatingPlugin {
  admit(a: Attributes): Promise<void>;
  /** After the first pass: whether this plugin must run again (reinvocationPolicy IfNeeded). */
  shouldReinvoke?(a: Attributes): boolean;
}
export interface ValidatingPlugin { validate(a: Attributes): Promise<void> }
export type AdmissionPlugin = { name: string } & Partial<MutatingPlugin & ValidatingPlugin> & { stop?(): void; start?(): Promise<void> };

export interface PluginContext {
  registry: Registry;
  /** Every served resource, custom ones included (params of admission policies). */
  catalogue?: import('../../api/resources/catalogue.js').Catalogue;
  log: (msg: string) => void;
  /** The plugin's section of --admission-control-config-file, if any. */
  config?(plugin: string): Record<string, any> | undefined;
  /** Reads without admission (the plugins' own lookups). */
  get(def: import('../../api/resources/resource-def.js').ResourceDef, ns: string, name: string): Promise<KubeObject | undefined>;
  list(def: import('../../api/resources/resource-def.js').ResourceDef, ns: string): Promise<KubeObject[]>;
  /** The API server's authorizer (CEL's `authorizer` variable); absent: every check is no opinion. */
  authorize?(a: import('../authz/authorizer.js').Attributes): Promise<import('../authz/authorizer.js').Verdict>;
}

export type PluginFactory = (ctx: PluginContext) => AdmissionPlugin;

/** Whether the call is about pods (the main resource, not a subresource). */
export const isPod = (a: AdmissionCall) => a.def.group === '' && a.def.plural === 'pods' && !a.subresource;
