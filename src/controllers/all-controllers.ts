// The registry of every controller this manager can run, by upstream name and alias.
import { ControllerRegistry } from './manager/registry.js';
import { newReplicaSetController } from './replicaset/replicaset-controller.js';
import { newDeploymentController } from './deployment/deployment-controller.js';
import { newGarbageCollector } from './garbagecollector/garbage-collector.js';
import { newNamespaceController } from './namespace/namespace-controller.js';
import { newRootCACertPublisher } from './rootcacertpublisher/root-ca-cert-publisher.js';
import { newServiceAccountController } from './serviceaccount/serviceaccount-controller.js';
import { newEndpointController } from './endpoint/endpoint-controller.js';
import { newEndpointSliceController } from './endpointslice/endpointslice-controller.js';
import { newNodeIPAMController } from './nodeipam/nodeipam-controller.js';
import { newNodeLifecycleController } from './nodelifecycle/node-lifecycle-controller.js';
import { newTaintEvictionController } from './nodelifecycle/taint-eviction-controller.js';
import { newPodGCController } from './podgc/podgc-controller.js';
import { newJobController } from './job/job-controller.js';
import { newCronJobController } from './cronjob/cronjob-controller.js';
import { newTTLAfterFinishedController } from './ttlafterfinished/ttl-after-finished-controller.js';
import { newBootstrapSigner } from './bootstrap/bootstrap-signer-controller.js';
import { newTokenCleaner } from './tokencleaner/token-cleaner-controller.js';
import { newDaemonSetController } from './daemonset/daemonset-controller.js';
import { newStatefulSetController } from './statefulset/statefulset-controller.js';
import { newReplicationController } from './replicationcontroller/replicationcontroller-controller.js';

export function newRegistry(): ControllerRegistry {
  const r = new ControllerRegistry();
  r.register({ name: 'replicaset-controller', alias: 'replicaset', factory: newReplicaSetController });
  r.register({ name: 'replicationcontroller-controller', alias: 'replicationcontroller', factory: newReplicationController });
  r.register({ name: 'deployment-controller', alias: 'deployment', factory: newDeploymentController });
  r.register({ name: 'namespace-controller', alias: 'namespace', factory: newNamespaceController });
  r.register({ name: 'garbage-collector-controller', alias: 'garbagecollector', factory: newGarbageCollector });
  r.register({ name: 'serviceaccount-controller', alias: 'serviceaccount', factory: newServiceAccountController });
  r.register({ name: 'root-ca-certificate-publisher-controller', alias: 'root-ca-cert-publisher', factory: newRootCACertPublisher });
  r.register({ name: 'endpoints-controller', alias: 'endpoint', factory: newEndpointController });
  r.register({ name: 'endpointslice-controller', alias: 'endpointslice', factory: newEndpointSliceController });
  r.register({ name: 'node-ipam-controller', alias: 'nodeipam', factory: newNodeIPAMController });
  r.register({ name: 'node-lifecycle-controller', alias: 'nodelifecycle', factory: newNodeLifecycleController });
  r.register({ name: 'taint-eviction-controller', alias: 'taint-eviction-controller', factory: newTaintEvictionController });
  r.register({ name: 'pod-garbage-collector-controller', alias: 'podgc', factory: newPodGCController });
  r.register({ name: 'job-controller', alias: 'job', factory: newJobController });
  r.register({ name: 'cronjob-controller', alias: 'cronjob', factory: newCronJobController });
  r.register({ name: 'ttl-after-finished-controller', alias: 'ttl-after-finished', factory: newTTLAfterFinishedController });
  r.register({ name: 'daemonset-controller', alias: 'daemonset', factory: newDaemonSetController });
  r.register({ name: 'statefulset-controller', alias: 'statefulset', factory: newStatefulSetController });
  r.register({ name: 'bootstrap-signer-controller', alias: 'bootstrapsigner', factory: newBootstrapSigner, disabledByDefault: true });
  r.register({ name: 'token-cleaner-controller', alias: 'tokencleaner', factory: newTokenCleaner, disabledByDefault: true });
  return r;
}
