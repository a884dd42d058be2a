// `tskube dns` as a library: informers on Services, EndpointSlices and Pods; one handler
// answering over UDP and TCP (two-byte length framing); cluster names answered here,
// everything else forwarded.
import dgram from 'node:dgram';
import net from 'node:net';
import * as dns from 'dns-packet';
import { RestClient, SharedInformerFactory, SERVICES, ENDPOINTSLICES, PODS, type ClientConfig } from '../client/index.js';
import { ClusterRecords } from './cluster-records.js';
import { answerCluster } from './cluster-answer.js';
import { Forwarder, type Upstream } from './forwarder.js';
import { AnswerCache } from './answer-cache.js';
import { optRecord, requestEdns, udpLimit } from './edns.js';

export interface DnsOptions {
  clientConfig: ClientConfig;
  clusterDomain: string;
  bindAddress: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  upstreams: Upstream[];
  log: (line: string) => void;
}

export interface RunningDns { port: number; forwarder: Forwarder; stop(): Promise<void> }

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, FORMERR: 1 } as const;

/**
 * One query in, one answer out (undefined: nothing to answer). Over UDP the answer is cut to
 * what the client takes — 512 bytes, or its EDNS0 buffer size — and marked truncated, so the
 * client asks again over TCP.
 */
export async function handleQuery(msg: Buffer, records: ClusterRecords, domain: string, fwd: Forwarder, log: (l: string) => void, tcp = false, cache?: AnswerCache): Promise<Buffer | undefined> {
  const cached = cache?.get(msg, tcp);
  if (cached) return cached;
  let req: dns.DecodedPacket;
  try { req = dns.decode(msg); } catch {
    // too short for a header: nothing to answer to; otherwise FORMERR with the id echoed
    if (msg.length < 12) return undefined;
    return dns.encode({ type: 'response', id: msg.readUInt16BE(0), flags: RCODE.FORMERR, questions: [] });
  }
  const id = req.id ?? 0;
  const rd = (req.flags ?? 0) & dns.RECURSION_DESIRED;
  const q = req.questions?.[0];
  const edns = requestEdns(req);
  const opt = edns ? [optRecord()] : [];
  const reply = (rcode: number, p: Partial<dns.Packet> = {}) => dns.encode({
    type: 'response', id, questions: req.questions ?? [], additionals: opt, ...p, flags: (p.flags ?? 0) | rd | dns.RECURSION_AVAILABLE | rcode,
  });
  const fit = (out: Buffer): Buffer => {
    if (tcp || out.length <= udpLimit(edns)) return out;
    const p = dns.decode(out);
    return dns.encode({ ...p, flags: (p.flags ?? 0) | dns.TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: opt });
  };
  if (!q || (req.questions?.length ?? 0) !== 1 || ((req.flags ?? 0) >> 11) & 15) return reply(q ? RCODE.NOTIMP : RCODE.FORMERR);
  // only EDNS version 0 exists: anything else is BADVERS (extended rcode 1, rcode 0)
  if (edns && edns.version !== 0) return reply(RCODE.NOERROR, { additionals: [optRecord(1)] });
  const r = answerCluster(records, domain, q.name, q.type);
  if (!('forward' in r)) {
    const out = fit(reply(RCODE[r.rcode], { flags: dns.AUTHORITATIVE_ANSWER, answers: r.answers, authorities: r.authority }));
    cache?.set(msg, tcp, out);
    return out;
  }
  try {
    const res = await fwd.resolve(q, id, req.flags ?? 0, { tcp });
    return fit(dns.encode({ ...res, type: 'response', id, questions: req.questions, additionals: opt, flags: ((res.flags ?? 0) & ~dns.AUTHORITATIVE_ANSWER & ~dns.TRUNCATED_RESPONSE) | dns.RECURSION_AVAILABLE }));
  } catch (e) {
    log(`dns: forwarding ${q.name} ${q.type}: ${(e as Error).message}`);
    return reply(RCODE.SERVFAIL);
  }
}

export async function runDns(o: DnsOptions): Promise<RunningDns> {
  const domain = o.clusterDomain.replace(/\.$/, '').toLowerCase();
  const client = new RestClient({ ...o.clientConfig, qps: 50, burst: 100, userAgent: 'tskube-dns' });
  const factory = new SharedInformerFactory(client);
  const records = new ClusterRecords(factory.forResource(SERVICES), factory.forResource(ENDPOINTSLICES), factory.forResource(PODS));
  const fwd = new Forwarder(o.upstreams);
  const cache = new AnswerCache([records.services, records.slices, records.pods]);
  factory.start();
  await factory.waitForCacheSync();

  const tcp = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void handleQuery(msg, records, domain, fwd, o.log, true, cache).then((out) => {
          if (!out || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          sock.write(Buffer.concat([len, out]));
        });
      }
    });
    sock.on('error', () => sock.destroy());
    sock.setTimeout(10_000, () => sock.destroy());
  });
  const port = await new Promise<number>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(o.port, o.bindAddress, () => resolve((tcp.address() as net.AddressInfo).port));
  });
  const udp = dgram.createSocket(net.isIPv6(o.bindAddress) ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => {
    const hit = cache.get(msg, false);
    if (hit) { udp.send(hit, rinfo.port, rinfo.address); return; }
    void handleQuery(msg, records, domain, fwd, o.log, false, cache).then((out) => {
      if (out) udp.send(out, rinfo.port, rinfo.address);
    });
  });
  await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(port, o.bindAddress, () => resolve()); });
  o.log(`dns: serving ${domain} on ${o.bindAddress}:${port} (udp, tcp); upstream ${o.upstreams.map((u) => `${u.host}:${u.port}`).join(', ') || 'none'}`);
  return {
    port, forwarder: fwd,
    async stop() {
      udp.close();
      await new Promise<void>((r) => tcp.close(() => r()));
      await factory.shutdown();
    },
  };
}
