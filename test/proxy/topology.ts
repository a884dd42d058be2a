// A small node network for proxy tests, all inside network namespaces the test makes: a
// "node" namespace with a bridge (the pods' gateway, 10.244.0.1) and a link to an
// "outside" namespace (192.168.77.0/24, the node at .1, an off-cluster client at .2), and
// one namespace per "pod" on the bridge. Each pod runs a TCP server (:8080) and a UDP
// server (:8053) answering "<own ip> <peer ip>", so a test sees which endpoint answered
// and whether the source was masqueraded. Only addresses inside these namespaces get traffic.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const NODE_POD_GW = '10.244.0.1';
export const NODE_IP = '192.168.77.1';
export const OUTSIDE_IP = '192.168.77.2';

export interface Topology {
  node: string;
  outside: string;
  /** Pod namespace names and addresses, in order. */
  pods: { ns: string; ip: string }[];
  destroy(): void;
}

const ip = (...a: string[]): void => {
  const r = spawnSync('ip', a, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${a.join(' ')}: ${r.stderr}`);
};

/** `tag` keeps names unique across concurrent runs (include process.pid). */
export function makeTopology(tag: string, podCount: number): Topology {
  const node = `${tag}-node`;
  const outside = `${tag}-out`;
  const pods = Array.from({ length: podCount }, (_, i) => ({ ns: `${tag}-p${i}`, ip: `10.244.0.${10 + i}` }));
  const all = [node, outside, ...pods.map((p) => p.ns)];
  const destroy = (): void => { for (const n of all) spawnSync('ip', ['netns', 'del', n]); };
  destroy();
  try {
    for (const n of all) {
      ip('netns', 'add', n);
      ip('-n', n, 'link', 'set', 'lo', 'up');
    }
    spawnSync('ip', ['netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    ip('-n', node, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', node, 'addr', 'add', `${NODE_POD_GW}/24`, 'dev', 'br0');
    ip('-n', node, 'link', 'set', 'br0', 'up');
    ip('-n', node, 'link', 'add', 'ext0', 'type', 'veth', 'peer', 'name', 'ext1', 'netns', outside);
    ip('-n', node, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'ext0');
    ip('-n', node, 'link', 'set', 'ext0', 'up');
    ip('-n', outside, 'addr', 'add', `${OUTSIDE_IP}/24`, 'dev', 'ext1');
    ip('-n', outside, 'link', 'set', 'ext1', 'up');
    // the node's default route points outside, so locally sent packets to ClusterIPs reach nat OUTPUT
    ip('-n', node, 'route', 'add', 'default', 'via', OUTSIDE_IP);
    pods.forEach((p, i) => {
      ip('-n', node, 'link', 'add', `vp${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.ns);
      ip('-n', node, 'link', 'set', `vp${i}`, 'master', 'br0');
      // hairpin mode (as the CNI bridge plugin sets it): where bridged frames pass netfilter
      // (br_netfilter), a pod's packet DNATed back to itself leaves by the port it came in on
      ip('-n', node, 'link', 'set', `vp${i}`, 'type', 'bridge_slave', 'hairpin', 'on');
      ip('-n', node, 'link', 'set', `vp${i}`, 'up');
      ip('-n', p.ns, 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0');
      ip('-n', p.ns, 'link', 'set', 'eth0', 'up');
      ip('-n', p.ns, 'route', 'add', 'default', 'via', NODE_POD_GW);
    });
  } catch (e) {
    destroy();
    throw e;
  }
  return { node, outside, pods, destroy };
}

const SERVERS = `
const net = require('net'), dgram = require('dgram');
const ip = process.argv[1];
const peer = (a) => a.replace(/^::ffff:/, '');
net.createServer((c) => c.end(ip + ' ' + peer(c.remoteAddress) + '\\n')).listen(8080, ip, () => {
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => u.send(ip + ' ' + r.address, r.port, r.address));
  u.bind(8053, ip, () => console.log('ready'));
});
`;

/** Starts the TCP and UDP servers in every pod; returns the processes (kill them after). */
export async function startServers(t: Topology): Promise<ChildProcess[]> {
  return Promise.all(t.pods.map((p) => new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', p.ns, process.execPath, '-e', SERVERS, p.ip], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (c) => reject(new Error(`servers in ${p.ns} exited ${c}`)));
  })));
}

const TCP_CLIENT = `
const net = require('net');
const [ip, port, count, timeout] = process.argv.slice(1);
const one = () => new Promise((resolve) => {
  const s = net.connect({ host: ip, port: Number(port) });
  let data = '';
  const t = setTimeout(() => { s.destroy(); resolve('ERR:TIMEOUT'); }, Number(timeout));
  s.on('data', (d) => { data += d; });
  s.on('end', () => { clearTimeout(t); resolve(data.trim()); });
  s.on('error', (e) => { clearTimeout(t); resolve('ERR:' + e.code); });
});
(async () => { const out = []; for (let i = 0; i < Number(count); i++) out.push(await one()); console.log(JSON.stringify(out)); })();
`;

/**
 * Opens `count` TCP connections to ip:port from inside namespace `ns`, one after another;
 * each answer is "<server ip> <source ip it saw>" or ERR:<code>. Asynchronous, so a proxy
 * running in the test process keeps syncing meanwhile.
 */
export function tcpMany(ns: string, ip: string, port: number, count: number, timeoutMs = 2000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, process.execPath, '-e', TCP_CLIENT, ip, String(port), String(count), String(timeoutMs)], (err, stdout, stderr) => {
      if (err) reject(new Error(`client in ${ns}: ${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

const UDP_CLIENT = `
const dgram = require('dgram');
const [ip, port, count, gap, srcPort] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
const out = [];
let waiting;
s.on('message', (m) => { if (waiting) { const w = waiting; waiting = undefined; w(m.toString()); } });
s.bind(Number(srcPort), async () => {
  for (let i = 0; i < Number(count); i++) {
    out.push(await new Promise((resolve) => {
      const t = setTimeout(() => { waiting = undefined; resolve('ERR:TIMEOUT'); }, Number(gap));
      waiting = (x) => { clearTimeout(t); setTimeout(() => resolve(x), Number(gap)); };
      s.send('q', Number(port), ip);
    }));
  }
  console.log(JSON.stringify(out));
  s.close();
});
`;

/**
 * Sends `count` datagrams to ip:port from one fixed source port (so they share one
 * conntrack entry), about `gapMs` apart; each answer is "<server ip> <source ip>" or ERR:TIMEOUT.
 */
export function udpMany(ns: string, ip: string, port: number, count: number, gapMs: number, srcPort: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, process.execPath, '-e', UDP_CLIENT, ip, String(port), String(count), String(gapMs), String(srcPort)], (err, stdout, stderr) => {
      if (err) reject(new Error(`udp client in ${ns}: ${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

export function nsRun(ns: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}
