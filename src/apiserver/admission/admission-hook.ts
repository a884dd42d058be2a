// The one place the registry calls admission: mutate before validation, validate after it,
// for every create, update and delete made on behalf of a request.
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';

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
}

export interface AdmissionHook {
  /** Runs the mutating plugins; returns the object to go on with. */
  mutate(call: AdmissionCall): Promise<KubeObject | undefined>;
  /** Runs the validating plugins; throws an ApiError to refuse. */
  validate(call: AdmissionCall): Promise<void>;
}
