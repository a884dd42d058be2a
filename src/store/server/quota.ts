// etcd's backend quota: a write that would grow the database past --quota-backend-bytes
// raises the NOSPACE alarm and fails; once raised, puts and lease grants keep failing until
// the alarm is disarmed (and fail again if the database is still too big).
import { Errors } from '../errors.js';
import type { ServerContext } from './server-context.js';

/** etcd's estimates of what a request adds to the backend */
export const KV_OVERHEAD = 256;
export const LEASE_OVERHEAD = 64;

export async function checkQuota(ctx: ServerContext, cost: number): Promise<void> {
  ctx.alarms.checkWrite('put');
  if (ctx.config.quotaBackendBytes <= 0 || cost === 0) return;
  if (ctx.store.dbSize().size + cost <= ctx.config.quotaBackendBytes) return;
  const raised = !ctx.alarms.has('NOSPACE');
  await ctx.alarms.activate(ctx.member.memberId, 'NOSPACE');
  if (raised) {
    ctx.log.warn(
      `alarm NOSPACE raised: database size ${ctx.store.dbSize().size} bytes plus request would exceed quota ${ctx.config.quotaBackendBytes} bytes`,
    );
  }
  throw Errors.noSpace();
}
