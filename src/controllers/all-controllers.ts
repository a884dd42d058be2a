// The registry of every controller this manager can run, by upstream name and alias.
import { ControllerRegistry } from './manager/registry.js';
import { newReplicaSetController } from './replicaset/replicaset-controller.js';
import { newDeploymentController } from './deployment/deployment-controller.js';
import { newReplicationController } from './replicationcontroller/replicationcontroller-controller.js';

export function newRegistry(): ControllerRegistry {
  const r = new ControllerRegistry();
  r.register({ name: 'replicaset-controller', alias: 'replicaset', factory: newReplicaSetController });
  r.register({ name: 'replicationcontroller-controller', alias: 'replicationcontroller', factory: newReplicationController });
  r.register({ name: 'deployment-controller', alias: 'deployment', factory: newDeploymentController });
  return r;
}
