// EDNS0 (RFC 6891): a client's OPT record says how large a UDP answer it accepts; answers to
// such clients carry an OPT of their own. Without OPT the classic 512-byte limit holds.
import type * as dns from 'dns-packet';

/** What this server accepts and offers over UDP (the DNS flag day 2020 value). */
export const UDP_PAYLOAD = 1232;
export const CLASSIC_UDP_LIMIT = 512;

export interface Edns { udpSize: number; version: number; do: boolean }

type Opt = { type: 'OPT'; udpPayloadSize?: number; ednsVersion?: number; flag_do?: boolean };

export function requestEdns(p: dns.DecodedPacket): Edns | undefined {
  const opt = (p.additionals ?? []).find((a) => a.type === 'OPT') as Opt | undefined;
  if (!opt) return undefined;
  return { udpSize: Math.max(CLASSIC_UDP_LIMIT, opt.udpPayloadSize ?? CLASSIC_UDP_LIMIT), version: opt.ednsVersion ?? 0, do: !!opt.flag_do };
}

/** The largest UDP answer this client takes. */
export const udpLimit = (e: Edns | undefined): number => (e ? Math.min(e.udpSize, 4096) : CLASSIC_UDP_LIMIT);

/** Our OPT record for an answer; extendedRcode 1 with rcode 0 is BADVERS (16). */
export function optRecord(extendedRcode = 0): dns.Answer {
  return { type: 'OPT', name: '.', udpPayloadSize: UDP_PAYLOAD, extendedRcode, ednsVersion: 0, flags: 0, options: [] } as unknown as dns.Answer;
}
