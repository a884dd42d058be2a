// ReplicationControllers are run by the ReplicaSet controller's code with their own kind
// adapter (label-map selector, core/v1), as upstream does.
import type { Controller, ControllerContext } from '../manager/controller.js';
import { RC_KIND } from '../replicaset/replica-kind.js';
import { ReplicaSetController } from '../replicaset/replicaset-controller.js';

export const NAME = 'replicationcontroller';
export const newReplicationController = (ctx: ControllerContext): Controller => new ReplicaSetController(ctx, RC_KIND);
