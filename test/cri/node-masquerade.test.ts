// A single-node `tskube up --runtime containerd` masquerades pod traffic leaving the cluster
// network with one rule of the node's (not the CNI bridge plugin's per-pod ipMasq chains, which
// cost iptables runs on every sandbox's ADD and DEL), and `down`'s sweep takes it away. Run in
// a network namespace the test makes, standing in for the host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = `tkmq${process.pid}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-mq-'));
const name = `mq${process.pid}`;

function inHost(code: string): string {
  const script = `
    const nr = await import(${JSON.stringify(path.join(dist, 'src/admin/up/node-runtime.js'))});
    const cl = await import(${JSON.stringify(path.join(dist, 'src/admin/up/cluster-layout.js'))});
    const l = cl.clusterLayout(${JSON.stringify(name)}, ${JSON.stringify(dir)});
    ${code}`;
  return execFileSync('nsenter', [`--net=/run/netns/${HOST}`, '--', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
}
const natRules = () => execFileSync('ip', ['netns', 'exec', HOST, 'iptables-save', '-t', 'nat'], { encoding: 'utf8' });

before(() => { execFileSync('ip', ['netns', 'add', HOST]); });
after(() => {
  try { execFileSync('ip', ['netns', 'del', HOST]); } catch { /* gone */ }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('one masquerade rule for the node, removed by the sweep', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
  const network = inHost(`process.stdout.write(nr.nodeNetworkName(l, 'n1')); nr.masqueradePodTraffic('10.244.0.0/16', nr.nodeNetworkName(l, 'n1'));`);
  const rule = natRules().split('\n').filter((r) => r.includes(network));
  assert.deepEqual(rule, [`-A POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -m comment --comment "tskube ${network}: pod traffic leaving the cluster network" -j MASQUERADE`]);
  inHost(`await nr.sweepNodeRuntime(l, 'n1', () => {});`);
  assert.doesNotMatch(natRules(), new RegExp(network));
});
