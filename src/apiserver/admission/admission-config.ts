// --admission-control-config-file: an AdmissionConfiguration (apiserver.config.k8s.io/v1,
// or the older apiserver.k8s.io/v1alpha1) naming each plugin's configuration, inline
// (`configuration:`) or in another file (`path:`, relative to this one). Read once at start;
// a problem ends the start naming the flag and the file.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const KNOWN = ['apiserver.config.k8s.io/v1', 'apiserver.k8s.io/v1alpha1'];

/** Plugin name → its configuration object. */
export type PluginConfigs = Map<string, Record<string, any>>;

function readYAML(file: string, what: string): any {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (err) { throw new Error(`${what}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`); }
  try { return parse(text, { version: '1.1' }); } catch (err) { throw new Error(`${what}: ${file} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`); }
}

export function loadAdmissionConfig(file: string | undefined): PluginConfigs {
  const out: PluginConfigs = new Map();
  if (!file) return out;
  const flag = '--admission-control-config-file';
  const doc = readYAML(file, flag);
  if (!doc || doc.kind !== 'AdmissionConfiguration' || !KNOWN.includes(doc.apiVersion)) {
    throw new Error(`${flag}: ${file} is not an AdmissionConfiguration (want kind AdmissionConfiguration, apiVersion ${KNOWN.join(' or ')}; got ${doc?.apiVersion ?? '""'}/${doc?.kind ?? '""'})`);
  }
  for (const [i, p] of (doc.plugins ?? []).entries()) {
    if (!p?.name) throw new Error(`${flag}: ${file}: plugins[${i}].name is required`);
    const conf = p.configuration ?? (p.path ? readYAML(path.resolve(path.dirname(file), p.path), `${flag} (plugin ${p.name})`) : undefined);
    if (conf) out.set(p.name, conf);
  }
  return out;
}
