// The v2 cluster endpoints of a one-member etcd: /v2/members (what `etcdctl member list` and
// the v2 client's endpoint sync read), /v2/members/leader, /v2/stats/{self,leader,store} and
// /v2/machines. The member is always the leader; membership changes need raft, which tskube
// leaves to real etcd, so they are refused.
import type { ServerResponse } from 'node:http';
import { goJSON, rfc3339Nano } from './v2-json.js';
import type { V2Store } from './v2-store.js';

export interface V2Member {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

export interface ClusterContext {
  store: V2Store;
  member: V2Member;
  startTime: number;
}

const memberJSON = (m: V2Member) => ({ id: m.id, name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs });

/** Go's time.Duration.String for a whole number of milliseconds. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = ((ms % 60000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return (h ? `${h}h` : '') + (h || m ? `${m}m` : '') + `${s}s`;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  send(res, 405, 'Method Not Allowed\n', 'text/plain; charset=utf-8');
}

/** Returns false when the path is not one of these endpoints. */
export function handleCluster(ctx: ClusterContext, method: string, p: string, res: ServerResponse): boolean {
  const read = method === 'GET' || method === 'HEAD';
  const m = ctx.member;
  switch (p) {
    case '/v2/members':
    case '/v2/members/':
      if (!read) notAllowed(res, 'GET,HEAD');
      else send(res, 200, goJSON({ members: [memberJSON(m)] }));
      return true;
    case '/v2/members/leader':
      if (!read) notAllowed(res, 'GET');
      else send(res, 200, goJSON(memberJSON(m)));
      return true;
    case '/v2/stats/self': {
      if (!read) return notAllowed(res, 'GET'), true;
      const now = Date.now();
      send(
        res,
        200,
        JSON.stringify({
          name: m.name,
          id: m.id,
          state: 'StateLeader',
          startTime: rfc3339Nano(ctx.startTime),
          leaderInfo: { leader: m.id, uptime: goDuration(now - ctx.startTime), startTime: rfc3339Nano(ctx.startTime) },
          recvAppendRequestCnt: 0,
          sendAppendRequestCnt: 0,
        }),
      );
      return true;
    }
    case '/v2/stats/leader':
      if (!read) return notAllowed(res, 'GET'), true;
      send(res, 200, JSON.stringify({ leader: m.id, followers: {} }));
      return true;
    case '/v2/stats/store':
      if (!read) return notAllowed(res, 'GET'), true;
      send(res, 200, JSON.stringify(ctx.store.stats.toJSON(ctx.store.hub.count)));
      return true;
    case '/v2/machines':
      if (!read) return notAllowed(res, 'GET,HEAD'), true;
      send(res, 200, m.clientURLs.join(', '), 'text/plain; charset=utf-8');
      return true;
    default:
      return false;
  }
}
