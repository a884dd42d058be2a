// The APIServices, kept in memory from the watch cache (as upstream's aggregator reads its
// lister): every request to /apis/GROUP/VERSION asks whether another server answers it.
import type { KubeObject } from '../../api/resources/resource-def.js';
import { apiservices } from '../../api/resources/apiregistration-v1.js';
import type { Registry } from '../registry/registry.js';

export type APIService = KubeObject & { spec: { group?: string; version: string; service?: { namespace: string; name: string; port?: number } | null;
  caBundle?: string; insecureSkipTLSVerify?: boolean; groupPriorityMinimum: number; versionPriority: number } };

export const isLocal = (s: APIService) => !s.spec?.service;
export const isAvailable = (s: APIService) => (s.status?.conditions ?? []).some((c: any) => c.type === 'Available' && c.status === 'True');

export class APIServiceIndex {
  private readonly byName = new Map<string, APIService>();
  private stopWatch: (() => void) | undefined;
  private closed = false;

  constructor(private readonly registry: Registry, private readonly log: (level: number, msg: string) => void,
    private readonly onChange: (name: string) => void = () => undefined) {}

  async start(): Promise<void> {
    const cache = await this.registry.cache(apiservices);
    if (!cache || this.closed) return;
    const snap = cache.list();
    this.byName.clear();
    for (const o of snap.items) this.byName.set(o.metadata!.name, o as APIService);
    this.stopWatch = cache.watch(snap.revision, {
      onEvent: (ev) => {
        const name = ev.obj.metadata!.name as string;
        if (ev.type === 'DELETED') this.byName.delete(name); else this.byName.set(name, ev.obj as APIService);
        this.onChange(name);
      },
      onClose: () => {
        this.stopWatch = undefined;
        if (!this.closed) setTimeout(() => { this.start().catch((e) => this.log(0, `aggregator: ${(e as Error).message}`)); }, 500);
      },
    });
    for (const name of this.byName.keys()) this.onChange(name);
  }

  close(): void { this.closed = true; this.stopWatch?.(); }

  all(): APIService[] { return [...this.byName.values()]; }

  get(name: string): APIService | undefined { return this.byName.get(name); }

  /** The APIService of GROUP/VERSION when another server (spec.service) serves it. */
  remote(group: string, version: string): APIService | undefined {
    const s = this.byName.get(`${version}.${group}`);
    return s && !isLocal(s) ? s : undefined;
  }
}
