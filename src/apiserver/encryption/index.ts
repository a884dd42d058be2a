// Turns on encryption at rest from --encryption-provider-config (a no-op without it).
import type { ResourceDef } from '../../api/resources/resource-def.js';
import { setValueTransformer } from '../storage/object-store.js';
import { loadEncryptionConfig } from './encryption-config.js';
import { encryptionTransformer } from './storage-transformer.js';

export function enableEncryption(file: string | undefined, defs: ResourceDef[], etcdPrefix: string): void {
  setValueTransformer(file ? encryptionTransformer(loadEncryptionConfig(file), defs, etcdPrefix) : undefined);
}
