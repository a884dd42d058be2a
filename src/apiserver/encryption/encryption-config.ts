// --encryption-provider-config: parses apiserver.config.k8s.io/v1 EncryptionConfiguration
// (YAML or JSON) into, per resource pattern, the ordered providers; every mistake is
// reported with the field that holds it.
import fs from 'node:fs';
import YAML from 'yaml';
import { aescbc, aesgcm, identity, secretbox, type Provider } from './providers.js';

export interface ResourceProviders { patterns: string[]; providers: Provider[] }

const KEY_SIZES: Record<string, number[]> = { aescbc: [16, 24, 32], aesgcm: [16, 24, 32], secretbox: [32] };

export function parseEncryptionConfig(text: string, file = 'encryption config'): ResourceProviders[] {
  let doc: any;
  try { doc = YAML.parse(text, { version: '1.1' }); } catch (err) { throw new Error(`${file}: not YAML or JSON: ${(err as Error).message}`); }
  const bad = (field: string, why: string) => new Error(`${file}: ${field}: ${why}`);
  if (!doc || typeof doc !== 'object') throw bad('(root)', 'expected an EncryptionConfiguration object');
  if (doc.kind !== 'EncryptionConfiguration') throw bad('kind', `expected EncryptionConfiguration, got ${JSON.stringify(doc.kind)}`);
  if (doc.apiVersion !== 'apiserver.config.k8s.io/v1') throw bad('apiVersion', `expected apiserver.config.k8s.io/v1, got ${JSON.stringify(doc.apiVersion)}`);
  if (!Array.isArray(doc.resources) || !doc.resources.length) throw bad('resources', 'at least one resource entry is required');
  return doc.resources.map((entry: any, i: number) => {
    const at = `resources[${i}]`;
    if (!Array.isArray(entry?.resources) || !entry.resources.length) throw bad(`${at}.resources`, 'at least one resource is required');
    if (!Array.isArray(entry.providers) || !entry.providers.length) throw bad(`${at}.providers`, 'at least one provider is required');
    const providers = entry.providers.flatMap((p: any, j: number) => {
      const pat = `${at}.providers[${j}]`;
      const kinds = Object.keys(p ?? {});
      if (kinds.length !== 1) throw bad(pat, 'exactly one provider must be set (aescbc, aesgcm, secretbox or identity)');
      const kind = kinds[0];
      if (kind === 'identity') return [identity];
      if (!(kind in KEY_SIZES)) throw bad(pat, `unsupported provider ${JSON.stringify(kind)} (supported: aescbc, aesgcm, secretbox, identity)`);
      const keys = p[kind]?.keys;
      if (!Array.isArray(keys) || !keys.length) throw bad(`${pat}.${kind}.keys`, 'at least one key is required');
      return keys.map((k: any, n: number) => {
        const kp = `${pat}.${kind}.keys[${n}]`;
        if (!k?.name) throw bad(`${kp}.name`, 'key name is required');
        if (/:/.test(k.name)) throw bad(`${kp}.name`, 'key name may not contain ":"');
        const secret = typeof k.secret === 'string' ? Buffer.from(k.secret, 'base64') : undefined;
        if (!secret || !k.secret.trim()) throw bad(`${kp}.secret`, 'key secret is required');
        if (!KEY_SIZES[kind].includes(secret.length)) throw bad(`${kp}.secret`, `key of ${secret.length} bytes is invalid for ${kind}: must be ${KEY_SIZES[kind].join(', ')} bytes, base64-encoded`);
        return kind === 'aescbc' ? aescbc(k.name, secret) : kind === 'aesgcm' ? aesgcm(k.name, secret) : secretbox(k.name, secret);
      });
    });
    for (const r of entry.resources) {
      if (typeof r !== 'string' || !/^(\*|[a-z0-9-]+)(\.(\*|[a-z0-9.-]*))?$/.test(r)) throw bad(`${at}.resources`, `invalid resource ${JSON.stringify(r)}`);
    }
    return { patterns: entry.resources, providers };
  });
}

export function loadEncryptionConfig(file: string): ResourceProviders[] {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (err) { throw new Error(`--encryption-provider-config: ${(err as Error).message}`); }
  return parseEncryptionConfig(text, file);
}
