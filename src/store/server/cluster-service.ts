// etcd's Cluster service for a single-member store: the member list is this member;
// membership changes are refused, since high availability is real etcd's job.
import { status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdError } from '../errors.js';
import { unary } from './grpc-call.js';
import type { ServerContext } from './server-context.js';

export const SINGLE_MEMBER =
  'etcdserver: tskube etcd is a single-member store and cannot change membership; run a real etcd cluster for high availability';

export function clusterService(ctx: ServerContext): UntypedServiceImplementation {
  const self = () => ({
    ID: ctx.member.memberId.toString(),
    name: ctx.member.name,
    peerURLs: ctx.member.peerURLs,
    clientURLs: ctx.member.clientURLs,
    isLearner: false,
  });
  const refuse = (method: string) =>
    unary(ctx, 'Cluster', method, () => {
      throw new EtcdError(status.FAILED_PRECONDITION, SINGLE_MEMBER);
    });
  return {
    // etcd answers MemberList with a header that carries no revision
    MemberList: unary(ctx, 'Cluster', 'MemberList', () => ({ header: ctx.header(0), members: [self()] })),
    MemberAdd: refuse('MemberAdd'),
    MemberRemove: refuse('MemberRemove'),
    MemberUpdate: refuse('MemberUpdate'),
    MemberPromote: refuse('MemberPromote'),
  };
}
