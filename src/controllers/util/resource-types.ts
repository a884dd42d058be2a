// Resource types only some controllers use (the shared list lives in client/resources.ts).
import type { ResourceQuota, LimitRange } from 'kubernetes-types/core/v1.js';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { ResourceType } from '../../client/index.js';

const t = <T>(group: string, version: string, resource: string, kind: string, namespaced: boolean): ResourceType<T> => ({ group, version, resource, kind, namespaced });

export const RESOURCEQUOTAS = t<ResourceQuota>('', 'v1', 'resourcequotas', 'ResourceQuota', true);
export const LIMITRANGES = t<LimitRange>('', 'v1', 'limitranges', 'LimitRange', true);
export const CSRS = t<CertificateSigningRequest>('certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', false);
export const HPAS = t<HorizontalPodAutoscaler>('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true);
export const CLUSTERROLES = t<ClusterRole>('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false);
export const STORAGECLASSES = t<StorageClass>('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false);
