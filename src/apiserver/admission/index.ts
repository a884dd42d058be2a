// Builds the admission chain from --enable-admission-plugins/--disable-admission-plugins.
import type { Catalogue } from '../../api/resources/catalogue.js';
import type { ResourceDef } from '../../api/resources/resource-def.js';
import type { Registry } from '../registry/registry.js';
import { loadAdmissionConfig } from './admission-config.js';
import { AdmissionChain } from './chain.js';
import type { PluginContext } from './plugin.js';
import { ORDERED_PLUGINS, enabledPlugins } from './plugin-registry.js';

export interface AdmissionOptions { enableAdmissionPlugins?: string[]; disableAdmissionPlugins?: string[]; admissionControlConfigFile?: string }

export function buildAdmission(o: AdmissionOptions, registry: Registry, log: (msg: string) => void, catalogue?: Catalogue, authorize?: PluginContext['authorize']): AdmissionChain {
  const names = enabledPlugins(o.enableAdmissionPlugins ?? [], o.disableAdmissionPlugins ?? []);
  const configs = loadAdmissionConfig(o.admissionControlConfigFile);
  const ctx: PluginContext = {
    registry, log, catalogue, authorize, config: (plugin) => configs.get(plugin),
    get: (def: ResourceDef, ns: string, name: string) => registry.lookup(def, ns, name),
    list: (def: ResourceDef, ns: string) => registry.lookupList(def, ns),
  };
  const plugins = names.flatMap((n) => {
    const factory = ORDERED_PLUGINS.find(([k]) => k === n)?.[1];
    return factory ? [factory(ctx)] : [];
  });
  log(`admission plugins: ${names.join(',')}`);
  return new AdmissionChain(plugins);
}
