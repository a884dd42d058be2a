// Pod networking through containerd's CNI (Debian's bridge + host-local plugins on the
// node's pod CIDR), all inside a network namespace the test creates: every pod gets its
// own IP from the CIDR, pods reach each other by IP (busybox httpd and wget), hostPort
// forwards from the node, and removed pods give their addresses back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { loudSkip, pod, POD_CIDR, removePod, runPod, startNode, type Node } from './harness.js';

const skip = loudSkip();

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = (s: string): number => s.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
  const mask = bits === '0' ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (n(ip) & mask) === (n(base) & mask);
}

/** Runs a command on the node side of the test's network namespace. */
function onNode(node: Node, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('nsenter', [`--net=/run/netns/${node.netns}`, '--', ...argv], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

const SERVE = 'mkdir -p /tmp/www && echo "hello from $(hostname)" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www';

describe('pod networking (CNI bridge + host-local)', { skip }, () => {
  let node: Node;
  before(async () => { node = await startNode(); });
  after(async () => { await node?.stop(); });

  test('pods get distinct IPs from the pod CIDR and reach each other over HTTP by IP', async () => {
    const server = await runPod(node, pod('web', [{ name: 'httpd', image: 'busybox', command: ['sh', '-c', SERVE] }]));
    const client = await runPod(node, pod('client', [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }]));
    const serverIPs = (await node.runtime.podSandboxStatus(server.sandboxId)).ips;
    const clientIPs = (await node.runtime.podSandboxStatus(client.sandboxId)).ips;
    assert.equal(serverIPs.length, 1);
    assert.ok(inCidr(serverIPs[0], POD_CIDR), `${serverIPs[0]} in ${POD_CIDR}`);
    assert.ok(inCidr(clientIPs[0], POD_CIDR), `${clientIPs[0]} in ${POD_CIDR}`);
    assert.notEqual(serverIPs[0], clientIPs[0]);

    // the client sees its own address on eth0
    const addr = await node.runtime.execSync(client.containerId, ['ip', '-4', 'addr', 'show', 'eth0'], 10);
    assert.match(addr.stdout.toString(), new RegExp(`inet ${clientIPs[0].replace(/\./g, '\\.')}/`));

    let body = '';
    for (let i = 0; i < 50; i++) { // httpd may still be starting (no wget -T: Debian's busybox 1.35 crashes with it)
      const r = await node.runtime.execSync(client.containerId, ['wget', '-q', '-O', '-', `http://${serverIPs[0]}:8080/`], 10);
      if (r.exitCode === 0) { body = r.stdout.toString(); break; }
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(body, 'hello from web\n');
    await removePod(node, client.sandboxId);
    await removePod(node, server.sandboxId);
  });

  test('hostPort forwards the node address to the pod (portmap)', async () => {
    const p = pod('hostport', [{ name: 'httpd', image: 'busybox', command: ['sh', '-c', SERVE], ports: [{ containerPort: 8080, hostPort: 18080 }] }]);
    const { sandboxId } = await runPod(node, p);
    const gateway = POD_CIDR.replace(/0\/24$/, '1'); // the bridge's address, a local address of the node
    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      body = await onNode(node, ['busybox', 'wget', '-q', '-O', '-', `http://${gateway}:18080/`]).catch(() => '');
      if (!body) await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(body, 'hello from hostport\n');
    await removePod(node, sandboxId);
  });

  test('a removed pod releases its address and its network namespace', async () => {
    const first = await runPod(node, pod('lease', [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }]));
    const ip = (await node.runtime.podSandboxStatus(first.sandboxId)).ips[0];
    const leases = await onNode(node, ['ls', `${node.containerd.layout.ipamDataDir}/tskube`]);
    assert.ok(leases.split('\n').includes(ip), `host-local lease for ${ip}: ${leases}`);
    await removePod(node, first.sandboxId);
    const after = await onNode(node, ['ls', `${node.containerd.layout.ipamDataDir}/tskube`]);
    assert.ok(!after.split('\n').includes(ip), `lease for ${ip} released: ${after}`);
    assert.deepEqual(await node.runtime.listPodSandbox(), []);
  });
});
