// The registry of every controller this manager can run, by upstream name and alias.
import { ControllerRegistry } from './manager/registry.js';
import { newReplicaSetController } from './replicaset/replicaset-controller.js';
import { newDeploymentController } from './deployment/deployment-controller.js';
import { newGarbageCollector } from './garbagecollector/garbage-collector.js';
import { newNamespaceController } from './namespace/namespace-controller.js';
import { newRootCACertPublisher } from './rootcacertpublisher/root-ca-cert-publisher.js';
import { newServiceAccountController } from './serviceaccount/serviceaccount-controller.js';
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
  return r;
}
