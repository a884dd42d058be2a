// The kubelet's Service cache for containers' Service variables, against a real API server:
// a pod from the API waits for the first list (here held back by a gate in front of the API
// server) and fails with upstream's message when it never comes; a static pod does not wait;
// the pod gets default/kubernetes always and its own namespace's Services unless
// enableServiceLinks is false, a namespace's own "kubernetes" winning; changes arrive by watch.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { loadKubeconfig, NAMESPACES, RestClient, SERVICES } from '../../src/client/index.js';
import { ServiceLister } from '../../src/kubelet/pods/service-lister.js';
import { type Cluster, startCluster } from '../apiserver/harness.js';
import { eventually } from './harness.js';

/** A TCP forwarder to the API server that holds every connection until opened. */
function gate(target: URL): Promise<{ port: number; open(): void; close(): void }> {
  const held: net.Socket[] = [];
  const all = new Set<net.Socket>();
  let opened = false;
  const pipe = (s: net.Socket) => {
    const up = net.connect(Number(target.port), target.hostname);
    all.add(up);
    s.pipe(up).pipe(s);
    up.on('error', () => s.destroy());
    s.on('error', () => up.destroy());
  };
  const server = net.createServer((s) => { all.add(s); if (opened) pipe(s); else held.push(s); });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as net.AddressInfo).port,
    open: () => { opened = true; for (const s of held.splice(0)) pipe(s); },
    close: () => { server.close(); for (const s of all) s.destroy(); },
  })));
}

const pod = (ns: string, links?: boolean): Pod => ({ metadata: { name: 'p', namespace: ns }, spec: { containers: [], ...(links === undefined ? {} : { enableServiceLinks: links }) } });
const names = (xs: Service[]) => xs.map((s) => `${s.metadata!.namespace}/${s.metadata!.name}`).sort();

describe('kubelet Service lister', () => {
  let c: Cluster;
  let client: RestClient;
  before(async () => {
    c = await startCluster();
    client = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 0 });
  });
  after(async () => {
    client?.close();
    await c?.stop();
  });

  it('an API pod waits for the first list, a static pod does not; then the cache follows the watch', async () => {
    const g = await gate(new URL(c.apiURL));
    const gated = new RestClient({ ...loadKubeconfig(c.kubeconfig), server: `https://127.0.0.1:${g.port}`, qps: 0 });
    const lister = new ServiceLister(gated);
    try {
      lister.start();
      let settled = false;
      const waiting = lister.forPod(pod('default'), false).finally(() => { settled = true; });
      // a static pod (it may be the API server itself) takes the empty cache at once
      assert.deepEqual(await lister.forPod(pod('default'), true), []);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(settled, false, 'the env of an API pod must not be built before the Services were listed');
      g.open();
      assert.deepEqual(names(await waiting), ['default/kubernetes']);

      await client.resource(NAMESPACES).create('', { metadata: { name: 'svc-env' } });
      await client.resource(SERVICES).create('svc-env', { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
      await client.resource(SERVICES).create('default', { metadata: { name: 'other-ns' }, spec: { ports: [{ port: 81 }] } });
      assert.deepEqual(await eventually('web in the cache', async () => {
        const got = names(await lister.forPod(pod('svc-env'), false));
        return got.length === 2 ? got : undefined;
      }), ['default/kubernetes', 'svc-env/web']);
      // enableServiceLinks false: default/kubernetes only
      assert.deepEqual(names(await lister.forPod(pod('svc-env', false), false)), ['default/kubernetes']);
      // the namespace's own Service named kubernetes wins over default/kubernetes
      await client.resource(SERVICES).create('svc-env', { metadata: { name: 'kubernetes' }, spec: { ports: [{ port: 82 }] } });
      assert.deepEqual(await eventually('svc-env/kubernetes in the cache', async () => {
        const got = names(await lister.forPod(pod('svc-env'), false));
        return got.includes('svc-env/kubernetes') ? got : undefined;
      }), ['svc-env/kubernetes', 'svc-env/web']);
      await client.resource(SERVICES).delete('svc-env', 'web');
      await eventually('web gone from the cache', async () => !names(await lister.forPod(pod('svc-env'), false)).includes('svc-env/web'));
    } finally {
      await lister.stop();
      gated.close();
      g.close();
    }
  });

  it('an API pod whose Services never arrive fails with upstream\'s message', async () => {
    const g = await gate(new URL(c.apiURL)); // never opened
    const gated = new RestClient({ ...loadKubeconfig(c.kubeconfig), server: `https://127.0.0.1:${g.port}`, qps: 0 });
    const lister = new ServiceLister(gated, 300);
    try {
      lister.start();
      await assert.rejects(lister.forPod(pod('default'), false), /^Error: services have not yet been read at least once, cannot construct envvars$/);
    } finally {
      await lister.stop();
      gated.close();
      g.close();
    }
  });
});
