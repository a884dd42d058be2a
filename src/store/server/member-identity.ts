// This member's identity: cluster and member IDs (random uint64, made once and kept in store
// meta), its name and URLs (refreshed from flags on every start), and the raft term, which
// grows by one per start the way a single-member etcd elects itself again after a restart.
import { randomBytes } from 'node:crypto';
import type { MetaMap } from '../mvcc/meta-map.js';

export interface MemberIdentity {
  clusterId: bigint;
  memberId: bigint;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  raftTerm: number;
}

const CLUSTER_ID = 'server/cluster-id';
const MEMBER_ID = 'server/member-id';
const MEMBER = 'server/member';
const RAFT_TERM = 'server/raft-term';

function randomId(): bigint {
  for (;;) {
    const id = randomBytes(8).readBigUInt64BE();
    if (id !== 0n) return id;
  }
}

async function idFromMeta(meta: MetaMap, name: string): Promise<bigint> {
  const stored = meta.get(name);
  if (stored && stored.length === 8) return stored.readBigUInt64BE();
  const id = randomId();
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(id);
  await meta.put(name, buf);
  return id;
}

export async function loadMemberIdentity(
  meta: MetaMap,
  member: { name: string; peerURLs: string[]; clientURLs: string[] },
): Promise<MemberIdentity> {
  const clusterId = await idFromMeta(meta, CLUSTER_ID);
  const memberId = await idFromMeta(meta, MEMBER_ID);
  const term = meta.get(RAFT_TERM);
  // a fresh single-member etcd reports term 2 after its first election
  const raftTerm = term ? Number(term.toString()) + 1 : 2;
  await meta.put(RAFT_TERM, Buffer.from(String(raftTerm)));
  await meta.put(MEMBER, Buffer.from(JSON.stringify(member)));
  return { clusterId, memberId, raftTerm, ...member };
}

export function memberIdHex(id: bigint): string {
  return id.toString(16);
}
