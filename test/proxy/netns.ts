// A network namespace for proxy tests: a veth link with "pod" addresses, TCP servers on
// them that answer with their own address, and a client that connects from inside. Only
// addresses inside the namespace receive traffic.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const nsExec = (ns: string, ...args: string[]): string => {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} in ${ns}: ${r.stderr}`);
  return r.stdout;
};

export function makeNetns(name: string, addrs: string[]): void {
  spawnSync('ip', ['netns', 'del', name]);
  const run = (...a: string[]) => {
    const r = spawnSync('ip', a, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${a.join(' ')}: ${r.stderr}`);
  };
  run('netns', 'add', name);
  run('-n', name, 'link', 'set', 'lo', 'up');
  // a veth pair with both ends inside (the dummy driver is not always available)
  run('-n', name, 'link', 'add', 'pods0', 'type', 'veth', 'peer', 'name', 'pods1');
  for (const a of addrs) run('-n', name, 'addr', 'add', `${a}/24`, 'dev', 'pods0');
  run('-n', name, 'link', 'set', 'pods0', 'up');
  run('-n', name, 'link', 'set', 'pods1', 'up');
  // the service range must be routable so that locally generated packets reach nat OUTPUT
  run('-n', name, 'route', 'add', '10.96.0.0/12', 'dev', 'pods0');
}

export function deleteNetns(name: string): void {
  spawnSync('ip', ['netns', 'del', name]);
}

const SERVER = `
const net = require('net');
const [port, ...ips] = process.argv.slice(1);
let n = 0;
for (const ip of ips) net.createServer((c) => { c.end(ip + '\\n'); }).listen(Number(port), ip, () => { if (++n === ips.length) console.log('ready'); });
`;

/** TCP servers on `ips`:port inside the namespace; each answers with its address. */
export function startEchoServers(ns: string, port: number, ips: string[]): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, String(port), ...ips], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (c) => reject(new Error(`echo servers exited ${c}`)));
  });
}

const CLIENT = `
const net = require('net');
const [ip, port, count, local] = process.argv.slice(1);
const out = [];
const one = () => new Promise((resolve) => {
  const s = net.connect({ host: ip, port: Number(port), localAddress: local || undefined });
  let data = '';
  const t = setTimeout(() => { s.destroy(); resolve('ERR:TIMEOUT'); }, 2000);
  s.on('data', (d) => { data += d; });
  s.on('end', () => { clearTimeout(t); resolve(data.trim()); });
  s.on('error', (e) => { clearTimeout(t); resolve('ERR:' + e.code); });
});
(async () => { for (let i = 0; i < Number(count); i++) out.push(await one()); console.log(JSON.stringify(out)); })();
`;

/**
 * Connects `count` times to ip:port from inside the namespace; answers or ERR:<code>.
 * Asynchronous, so that a proxy running in the test process keeps syncing meanwhile.
 */
export function connectMany(ns: string, ip: string, port: number, count: number, localAddress = ''): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, ip, String(port), String(count), localAddress], (err, stdout, stderr) => {
      if (err) reject(new Error(`client in ${ns}: ${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

/** Like nsExec, without blocking the event loop. */
export function nsExecAsync(ns: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, ...args], (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)));
  });
}
