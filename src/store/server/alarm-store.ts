// Cluster alarms (NOSPACE, CORRUPT), persisted in store meta so they survive restarts the
// way etcd keeps them in its backend; an active alarm limits which requests are served.
import { status } from '@grpc/grpc-js';
import { EtcdError, Errors } from '../errors.js';
import type { MetaMap } from '../mvcc/meta-map.js';

export type AlarmType = 'NOSPACE' | 'CORRUPT';

export interface Alarm {
  memberID: bigint;
  alarm: AlarmType;
}

const KEY = 'server/alarms';

export class AlarmStore {
  private alarms: Alarm[];

  private constructor(private readonly meta: MetaMap) {
    const raw = meta.get(KEY);
    const list = raw ? (JSON.parse(raw.toString()) as { memberID: string; alarm: AlarmType }[]) : [];
    this.alarms = list.map((a) => ({ memberID: BigInt(a.memberID), alarm: a.alarm }));
  }

  static load(meta: MetaMap): AlarmStore {
    return new AlarmStore(meta);
  }

  list(): Alarm[] {
    return [...this.alarms];
  }

  has(type: AlarmType): boolean {
    return this.alarms.some((a) => a.alarm === type);
  }

  /** returns the alarm now active (the existing one when it was already raised) */
  async activate(memberID: bigint, alarm: AlarmType): Promise<Alarm> {
    const existing = this.alarms.find((a) => a.memberID === memberID && a.alarm === alarm);
    if (existing) return existing;
    const added = { memberID, alarm };
    this.alarms.push(added);
    await this.save();
    return added;
  }

  /** returns the alarm removed, or undefined when it was not active */
  async deactivate(memberID: bigint, alarm: AlarmType): Promise<Alarm | undefined> {
    const i = this.alarms.findIndex((a) => a.memberID === memberID && a.alarm === alarm);
    if (i < 0) return undefined;
    const [removed] = this.alarms.splice(i, 1);
    await this.save();
    return removed;
  }

  /** etcd's "capped" and "corrupt" appliers: what an active alarm forbids */
  checkWrite(kind: 'put' | 'delete' | 'read' | 'compact' | 'lease-grant' | 'lease-revoke'): void {
    if (this.has('CORRUPT')) throw corrupt();
    if (this.has('NOSPACE') && (kind === 'put' || kind === 'lease-grant')) throw Errors.noSpace();
  }

  private async save(): Promise<void> {
    const json = JSON.stringify(this.alarms.map((a) => ({ memberID: a.memberID.toString(), alarm: a.alarm })));
    await this.meta.put(KEY, Buffer.from(json));
  }
}

export const corrupt = () => new EtcdError(status.DATA_LOSS, 'etcdserver: corrupt cluster');

/** "memberID:N alarm:NOSPACE " — the text etcd puts in StatusResponse.errors */
export function alarmText(a: Alarm): string {
  return `memberID:${a.memberID} alarm:${a.alarm} `;
}
