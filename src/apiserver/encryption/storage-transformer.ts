// Encryption at rest, applied where the object store turns objects into etcd values: the
// resource is found from the etcd key, its first provider writes, and any of its providers
// reads (by the value's k8s:enc:… prefix; identity reads plaintext). A value read with a
// key other than the first is "stale", so an update rewrites it even when unchanged.
import type { ResourceDef } from '../../api/resources/resource-def.js';
import type { ResourceProviders } from './encryption-config.js';
import type { Provider } from './providers.js';

export interface ValueTransformer {
  toStorage(key: string, plain: Buffer): Buffer;
  fromStorage(key: string, stored: Buffer): { data: Buffer; stale: boolean };
}

function patternMatches(pattern: string, def: ResourceDef): boolean {
  const [res, group = ''] = pattern.includes('.') ? [pattern.slice(0, pattern.indexOf('.')), pattern.slice(pattern.indexOf('.') + 1)] : [pattern, ''];
  if (pattern === '*.*') return true;
  if (res === '*') return group === def.group || (group === '' && def.group === '');
  return res === def.plural && (group === '*' || group === def.group);
}

export function encryptionTransformer(config: ResourceProviders[], defs: ResourceDef[], etcdPrefix: string): ValueTransformer {
  // Longest storage prefix first, so "services/specs/" wins over "services/".
  const routes: Array<{ prefix: string; providers: Provider[] }> = [];
  for (const def of defs) {
    const entry = config.find((c) => c.patterns.some((p) => patternMatches(p, def)));
    if (entry) routes.push({ prefix: `${etcdPrefix}/${def.storagePath ?? def.plural}/`, providers: entry.providers });
  }
  routes.sort((a, b) => b.prefix.length - a.prefix.length);
  const route = (key: string) => routes.find((r) => key.startsWith(r.prefix))?.providers;
  return {
    toStorage(key, plain) {
      const p = route(key)?.[0];
      if (!p || !p.prefix) return plain;
      return Buffer.concat([Buffer.from(p.prefix), p.encrypt(plain, key)]);
    },
    fromStorage(key, stored) {
      const providers = route(key);
      if (!providers) return { data: stored, stale: false };
      const head = stored.subarray(0, 64).toString('latin1');
      for (let i = 0; i < providers.length; i++) {
        const p = providers[i];
        if (p.prefix && head.startsWith(p.prefix)) return { data: p.decrypt(stored.subarray(p.prefix.length), key), stale: i !== 0 };
      }
      if (head.startsWith('k8s:enc:')) throw new Error(`no matching key for ${head.split(':').slice(0, 5).join(':')} (the key was removed from --encryption-provider-config)`);
      const identityAt = providers.findIndex((p) => !p.prefix);
      if (identityAt < 0) throw new Error('stored data is not encrypted and identity is not among the providers');
      return { data: stored, stale: identityAt !== 0 };
    },
  };
}
