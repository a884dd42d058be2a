// The OpenAPI definitions of apiregistration.k8s.io/v1 (kube-aggregator's types, absent from
// kubernetes-types), named as upstream's spec names them, so that /openapi/v2 and /v3 carry
// APIService for `kubectl explain`, apply and strict validation.
import { setCustomDefinition, META_PACKAGE } from '../../api/openapi/definitions.js';
import { DEFINITIONS_REF, type Schema } from '../../api/openapi/schema.js';

const PKG = 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1';
const ref = (name: string, description?: string): Schema => ({ $ref: `${DEFINITIONS_REF}${name}`, ...(description ? { description } : {}) });
const str = (description: string): Schema => ({ type: 'string', description });
const int32 = (description: string): Schema => ({ type: 'integer', format: 'int32', description });
const gvk = (kind: string) => [{ group: 'apiregistration.k8s.io', kind, version: 'v1' }];

export function apiServiceDefinitions(): Record<string, Schema> {
  return {
    [`${PKG}.APIService`]: {
      description: 'APIService represents a server for a particular GroupVersion. Name must be "version.group".', type: 'object',
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        metadata: ref(`${META_PACKAGE}.ObjectMeta`, "Standard object's metadata."),
        spec: ref(`${PKG}.APIServiceSpec`, 'Spec contains information for locating and communicating with a server'),
        status: ref(`${PKG}.APIServiceStatus`, 'Status contains derived information about an API server'),
      },
      'x-kubernetes-group-version-kind': gvk('APIService'),
    },
    [`${PKG}.APIServiceList`]: {
      description: 'APIServiceList is a list of APIService objects.', type: 'object', required: ['items'],
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        items: { type: 'array', description: 'Items is the list of APIService', items: ref(`${PKG}.APIService`) },
        metadata: ref(`${META_PACKAGE}.ListMeta`, "Standard list metadata."),
      },
      'x-kubernetes-group-version-kind': gvk('APIServiceList'),
    },
    [`${PKG}.APIServiceSpec`]: {
      description: 'APIServiceSpec contains information for locating and communicating with a server. Only https is supported, though you are able to disable certificate verification.',
      type: 'object', required: ['groupPriorityMinimum', 'versionPriority'],
      properties: {
        caBundle: { type: 'string', format: 'byte', description: "CABundle is a PEM encoded CA bundle which will be used to validate an API server's serving certificate. If unspecified, system trust roots on the apiserver are used.", 'x-kubernetes-list-type': 'atomic' },
        group: str('Group is the API group name this server hosts'),
        groupPriorityMinimum: int32('GroupPriorityMinimum is the priority this group should have at least. Higher priority means that the group is preferred by clients over lower priority ones.'),
        insecureSkipTLSVerify: { type: 'boolean', description: 'InsecureSkipTLSVerify disables TLS certificate verification when communicating with this server. This is strongly discouraged.  You should use the CABundle instead.' },
        service: ref(`${PKG}.ServiceReference`, 'Service is a reference to the service for this API server.  It must communicate on port 443. If the Service is nil, that means the handling for the API groupversion is handled locally on this server.'),
        version: str('Version is the API version this server hosts.  For example, "v1"'),
        versionPriority: int32('VersionPriority controls the ordering of this API version inside of its group.  Must be greater than zero.'),
      },
    },
    [`${PKG}.ServiceReference`]: {
      description: 'ServiceReference holds a reference to Service.legacy.k8s.io', type: 'object',
      properties: {
        name: str('Name is the name of the service'),
        namespace: str('Namespace is the namespace of the service'),
        port: int32('If specified, the port on the service that hosting webhook. Default to 443 for backward compatibility. `port` should be a valid port number (1-65535, inclusive).'),
      },
    },
    [`${PKG}.APIServiceStatus`]: {
      description: 'APIServiceStatus contains derived information about an API server', type: 'object',
      properties: {
        conditions: {
          type: 'array', description: 'Current service state of apiService.', items: ref(`${PKG}.APIServiceCondition`),
          'x-kubernetes-list-map-keys': ['type'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge',
        },
      },
    },
    [`${PKG}.APIServiceCondition`]: {
      description: 'APIServiceCondition describes the state of an APIService at a particular point', type: 'object', required: ['type', 'status'],
      properties: {
        lastTransitionTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'Last time the condition transitioned from one status to another.'),
        message: str('Human-readable message indicating details about last transition.'),
        reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
        status: str('Status is the status of the condition. Can be True, False, Unknown.'),
        type: str('Type is the type of the condition.'),
      },
    },
  };
}

/** Adds the definitions to the served OpenAPI documents (once per process). */
export function registerAPIServiceOpenAPI(): void {
  for (const [name, schema] of Object.entries(apiServiceDefinitions())) setCustomDefinition(name, schema);
}
