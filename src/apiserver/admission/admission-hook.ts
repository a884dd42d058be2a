// The one place the registry calls admission: mutate before validation, validate after it,
// for every create, update and delete made on behalf of a request.
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';
import type { RequestScope } from './request-scope.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionCall {
  operation: Operation;
  def: ResourceDef;
  namespace: string;
  name: string;
  /** The new object (CREATE, UPDATE); plugins that mutate change it in place. */
  object?: KubeObject;
  oldObject?: KubeObject;
  subresource?: string;
  dryRun?: boolean;
  /** DELETE only: the object stays after this call, with deletionTimestamp set (graceful deletion, finalizers). */
  remains?: boolean;
  /**
   * Compensations a validating plugin registers for what it already did (ResourceQuota's
   * charge): run when a later plugin refuses or the write itself fails, so that a request
   * that changed nothing leaves nothing charged.
   */
  rollback?: Array<() => Promise<void>>;
}

/** Runs the compensations, newest first, once; a failing one does not stop the others (the quota controller recounts later). */
export async function rollBack(call: { rollback?: Array<() => Promise<void>> }): Promise<void> {
  const undo = call.rollback?.splice(0) ?? [];
  for (const fn of undo.reverse()) await fn().catch(() => {});
}

export interface AdmissionHook {
  /** Runs the mutating plugins for the request in scope (none: a server write, not admitted); returns the object to go on with. */
  mutate(call: AdmissionCall, scope?: RequestScope): Promise<KubeObject | undefined>;
  /** Runs the validating plugins for the request in scope; throws an ApiError to refuse. */
  validate(call: AdmissionCall, scope?: RequestScope): Promise<void>;
}

/** The hook with the request it acts for bound in: what a request's registry calls. */
export const boundToRequest = (hook: AdmissionHook, scope: RequestScope): AdmissionHook => ({
  mutate: (call) => hook.mutate(call, scope),
  validate: (call) => hook.validate(call, scope),
});
