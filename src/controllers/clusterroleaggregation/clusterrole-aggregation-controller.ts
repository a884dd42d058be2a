// clusterrole-aggregation: a ClusterRole with an aggregationRule gets, as its rules, the
// union of the rules of every ClusterRole its selectors pick (admin, edit and view grow
// when a CRD's roles carry the aggregate-to-* labels). A change to any ClusterRole
// requeues every aggregated one; aggregated roles feeding others settle in a few passes.
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { specMatchesLabels } from '../../api/selectors/index.js';
import { deletedObject, isConflict, isNotFound, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { CLUSTERROLES } from '../util/resource-types.js';
import { deepEqual } from '../util/hash.js';

export const NAME = 'clusterrole-aggregation';

/** The union of the selected roles' rules, in role-name order, without duplicates. */
export function aggregateRules(role: ClusterRole, all: ClusterRole[]): PolicyRule[] {
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  const sources = all.filter((c) => c.metadata?.name !== role.metadata?.name && selectors.some((s) => specMatchesLabels(s, c.metadata?.labels ?? {})))
    .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  for (const src of sources) for (const rule of src.rules ?? []) {
    const k = JSON.stringify(rule);
    if (!seen.has(k)) { seen.add(k); out.push(rule); }
  }
  return out;
}

export class ClusterRoleAggregationController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly roles: SharedInformer<ClusterRole>;

  constructor(private readonly ctx: ControllerContext) {
    this.roles = ctx.informers.forResource(CLUSTERROLES);
    this.loop = new KeyedLoop(ctx, NAME, 5, (k) => this.sync(k));
    const any = () => { for (const r of this.roles.lister.list()) if (r.aggregationRule) this.loop.add(r.metadata!.name!); };
    this.roles.addEventHandler({ onAdd: any, onUpdate: any, onDelete: (r) => { deletedObject(r); any(); } });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.roles]);
  }

  private async sync(name: string): Promise<SyncResult> {
    const role = this.roles.lister.get(name);
    if (!role?.aggregationRule) return;
    const rules = aggregateRules(role, this.roles.lister.list());
    if (deepEqual(role.rules ?? [], rules)) return;
    try {
      // Writing the rules with the cached resourceVersion: a concurrent change conflicts and is retried.
      await this.ctx.client.resource(CLUSTERROLES).update('', { ...role, rules });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw new Error(`clusterrole ${name} changed meanwhile; retrying`);
      throw err;
    }
  }
}

export const newClusterRoleAggregationController = (ctx: ControllerContext): Controller => new ClusterRoleAggregationController(ctx);
