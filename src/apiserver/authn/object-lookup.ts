// How authenticators and authorizers read the objects they depend on (service accounts,
// secrets, pods): a narrow getter over the registry, so they never write through it.
import type { KubeObject } from '../../api/resources/resource-def.js';

export type ObjectLookup = (resource: 'secrets' | 'serviceaccounts' | 'pods' | 'nodes', namespace: string, name: string) => Promise<KubeObject | undefined>;
