// What the descriptors do not say about a field's JSON form, taken from the Go types.
//
// Go clients (gogo-generated marshalers) put every non-pointer field on the wire, zero or
// not, so presence alone does not mean "set". Decoding therefore follows Go's own path —
// protobuf into a struct, then encoding/json with `omitempty` — and keeps a zero scalar only
// where the Go field is a pointer (an explicit 0/false/"" the sender meant) or has no
// `omitempty` (always printed). Both sets are keyed "Message.field" without the package.

/** Embedded Go structs (`json:",inline"`): their fields sit in the parent's JSON object. */
export const INLINE_FIELDS = new Set([
  'Volume.volumeSource', 'Probe.handler', 'EphemeralContainer.ephemeralContainerCommon',
  'PersistentVolumeSpec.persistentVolumeSource', 'IngressRule.ingressRuleValue',
  'ConfigMapEnvSource.localObjectReference', 'ConfigMapKeySelector.localObjectReference',
  'ConfigMapProjection.localObjectReference', 'ConfigMapVolumeSource.localObjectReference',
  'SecretEnvSource.localObjectReference', 'SecretKeySelector.localObjectReference',
  'SecretProjection.localObjectReference',
]);

/** Proto field names that differ from the JSON name (go-to-protobuf named them from Go). */
const JSON_NAMES: Record<string, string> = {
  'BoundObjectReference.uID': 'uid',
  'IngressClassParametersReference.aPIGroup': 'apiGroup',
};

export const jsonName = (message: string, field: string): string => JSON_NAMES[`${message}.${field}`] ?? field;

/** Messages that stand for a Go slice type (`[]string`): JSON is the bare list. */
export const LIST_WRAPPERS = new Set(['Verbs', 'ExtraValue']);

const POINTERS: Record<string, string[]> = {
  // core/v1
  PodSpec: ['terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'automountServiceAccountToken', 'shareProcessNamespace',
    'priority', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'setHostnameAsFQDN', 'hostUsers'],
  Container: ['restartPolicy'],
  EphemeralContainerCommon: ['restartPolicy'],
  SecurityContext: ['privileged', 'runAsUser', 'runAsGroup', 'runAsNonRoot', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'procMount'],
  PodSecurityContext: ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'fsGroup', 'fsGroupChangePolicy', 'supplementalGroupsPolicy', 'seLinuxChangePolicy'],
  WindowsSecurityContextOptions: ['gmsaCredentialSpecName', 'gmsaCredentialSpec', 'runAsUserName', 'hostProcess'],
  SeccompProfile: ['localhostProfile'],
  AppArmorProfile: ['localhostProfile'],
  Probe: ['terminationGracePeriodSeconds'],
  GRPCAction: ['service'],
  ServiceAccount: ['automountServiceAccountToken'],
  Secret: ['immutable'],
  ConfigMap: ['immutable'],
  ConfigMapKeySelector: ['optional'], SecretKeySelector: ['optional'], ConfigMapEnvSource: ['optional'], SecretEnvSource: ['optional'],
  ConfigMapVolumeSource: ['defaultMode', 'optional'], SecretVolumeSource: ['defaultMode', 'optional'],
  ConfigMapProjection: ['optional'], SecretProjection: ['optional'], ProjectedVolumeSource: ['defaultMode'],
  DownwardAPIVolumeSource: ['defaultMode'], DownwardAPIVolumeFile: ['mode'], KeyToPath: ['mode'],
  ServiceAccountTokenProjection: ['expirationSeconds'], ClusterTrustBundleProjection: ['name', 'signerName', 'optional'],
  HostPathVolumeSource: ['type'], CSIVolumeSource: ['readOnly', 'fsType'],
  VolumeMount: ['recursiveReadOnly'],
  Toleration: ['tolerationSeconds'],
  TopologySpreadConstraint: ['minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy'],
  PersistentVolumeClaimSpec: ['storageClassName', 'volumeMode', 'volumeAttributesClassName'],
  ServiceSpec: ['allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy', 'ipFamilyPolicy', 'trafficDistribution'],
  ServicePort: ['appProtocol'], EndpointPort: ['appProtocol'], ContainerStatus: ['started', 'stopSignal'],
  ClientIPConfig: ['timeoutSeconds'], LoadBalancerIngress: ['ipMode'], PodDNSConfigOption: ['value'],
  Event: ['series'],
  // apps/v1
  DeploymentSpec: ['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds'],
  ReplicaSetSpec: ['replicas'],
  StatefulSetSpec: ['replicas', 'revisionHistoryLimit'],
  DaemonSetSpec: ['revisionHistoryLimit'],
  RollingUpdateStatefulSetStrategy: ['partition'],
  DeploymentStatus: ['collisionCount'], DaemonSetStatus: ['collisionCount'], StatefulSetStatus: ['collisionCount'],
  // batch/v1
  JobSpec: ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes',
    'ttlSecondsAfterFinished', 'completionMode', 'suspend', 'podReplacementPolicy', 'manualSelector', 'managedBy'],
  JobStatus: ['ready', 'completedIndexes', 'failedIndexes', 'terminating'],
  CronJobSpec: ['startingDeadlineSeconds', 'suspend', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'timeZone'],
  SuccessPolicyRule: ['succeededIndexes', 'succeededCount'],
  PodFailurePolicyRule: ['onExitCodes'], PodFailurePolicyOnExitCodesRequirement: ['containerName'],
  // policy, scheduling, authentication
  PodDisruptionBudgetSpec: ['unhealthyPodEvictionPolicy'],
  PriorityClass: ['preemptionPolicy'],
  TokenRequestSpec: ['expirationSeconds'],
  // certificates/v1
  CertificateSigningRequestSpec: ['expirationSeconds'],
  // autoscaling/v1 and v2 (message names shared: the union of both versions' pointers)
  HorizontalPodAutoscalerSpec: ['minReplicas', 'targetCPUUtilizationPercentage'],
  HorizontalPodAutoscalerStatus: ['observedGeneration', 'currentCPUUtilizationPercentage'],
  HPAScalingRules: ['stabilizationWindowSeconds', 'selectPolicy'],
  MetricTarget: ['averageUtilization'], MetricValueStatus: ['averageUtilization'],
  // admissionregistration/v1
  ValidatingWebhook: ['failurePolicy', 'matchPolicy', 'sideEffects', 'timeoutSeconds'],
  MutatingWebhook: ['failurePolicy', 'matchPolicy', 'sideEffects', 'timeoutSeconds', 'reinvocationPolicy'],
  Rule: ['scope'], WebhookClientConfig: ['url'], ServiceReference: ['path', 'port'],
  ValidatingAdmissionPolicySpec: ['failurePolicy'], MatchResources: ['matchPolicy'], ParamKind: ['apiVersion', 'kind'],
  ParamRef: ['name', 'namespace', 'parameterNotFoundAction'], Validation: ['reason'],
  // flowcontrol/v1
  LimitedPriorityLevelConfiguration: ['nominalConcurrencyShares', 'lendablePercent', 'borrowingLimitPercent'],
  ExemptPriorityLevelConfiguration: ['nominalConcurrencyShares', 'lendablePercent'],
  // meta/v1
  ObjectMeta: ['deletionGracePeriodSeconds'],
  OwnerReference: ['controller', 'blockOwnerDeletion'],
  DeleteOptions: ['gracePeriodSeconds', 'orphanDependents', 'propagationPolicy', 'ignoreStoreReadErrorWithClusterBreakingPotential'],
  Preconditions: ['uid', 'resourceVersion'],
  ListMeta: ['remainingItemCount'],
};

/** Go fields without `omitempty` whose zero value means something when printed. */
const ALWAYS: Record<string, string[]> = {
  PriorityClass: ['value'],
  SubjectAccessReviewStatus: ['allowed'],
  SubjectRulesReviewStatus: ['incomplete'],
  ServicePort: ['port'],
  ContainerPort: ['containerPort'],
  Container: ['name'],
  RoleRef: ['apiGroup', 'kind', 'name'],
  HorizontalPodAutoscalerSpec: ['maxReplicas'], HorizontalPodAutoscalerStatus: ['currentReplicas', 'desiredReplicas'],
  Subject: ['kind', 'name'],
};

const keepZero = new Set<string>();
for (const table of [POINTERS, ALWAYS]) for (const [msg, fields] of Object.entries(table)) for (const f of fields) keepZero.add(`${msg}.${f}`);

/** A zero scalar in this field is kept (pointer in Go, or printed without omitempty). */
export function keepsZero(message: string, field: string): boolean {
  return keepZero.has(`${message}.${field}`);
}
