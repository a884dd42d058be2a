// kubernetes-types declares every Go integer and float as `number`; upstream's schemas say
// which. Go `int32` is the common case, so only the exceptions are listed: fields that are
// `int64` and fields that are `float64` in the Go types ("Type.field", by the Go type name).

const INT64 = new Set([
  'ObjectMeta.generation', 'ObjectMeta.deletionGracePeriodSeconds', 'ListMeta.remainingItemCount',
  'DeleteOptions.gracePeriodSeconds', 'Condition.observedGeneration',
  'PodSpec.terminationGracePeriodSeconds', 'PodSpec.activeDeadlineSeconds', 'Probe.terminationGracePeriodSeconds',
  'SleepAction.seconds', 'SecurityContext.runAsUser', 'SecurityContext.runAsGroup',
  'PodSecurityContext.runAsUser', 'PodSecurityContext.runAsGroup', 'PodSecurityContext.fsGroup',
  'PodSecurityContext.supplementalGroups', 'Toleration.tolerationSeconds', 'ContainerImage.sizeBytes',
  'ServiceAccountTokenProjection.expirationSeconds', 'NodeSwapStatus.capacity',
  'ReplicationControllerStatus.observedGeneration', 'DeploymentStatus.observedGeneration',
  'ReplicaSetStatus.observedGeneration', 'StatefulSetStatus.observedGeneration', 'DaemonSetStatus.observedGeneration',
  'ControllerRevision.revision', 'JobSpec.activeDeadlineSeconds', 'CronJobSpec.startingDeadlineSeconds',
  'PodDisruptionBudgetStatus.observedGeneration', 'HorizontalPodAutoscalerStatus.observedGeneration',
  'TokenRequestSpec.expirationSeconds', 'TokenRequest.expirationSeconds',
  'ValidatingAdmissionPolicyStatus.observedGeneration',
  'JSONSchemaProps.maxItems', 'JSONSchemaProps.maxLength', 'JSONSchemaProps.maxProperties',
  'JSONSchemaProps.minItems', 'JSONSchemaProps.minLength', 'JSONSchemaProps.minProperties',
]);

const DOUBLE = new Set(['JSONSchemaProps.maximum', 'JSONSchemaProps.minimum', 'JSONSchemaProps.multipleOf']);

export function numberSchema(typeName: string, field: string): { type: 'integer' | 'number'; format: string } {
  const key = `${typeName}.${field}`;
  if (DOUBLE.has(key)) return { type: 'number', format: 'double' };
  return { type: 'integer', format: INT64.has(key) ? 'int64' : 'int32' };
}
