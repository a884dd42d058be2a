// A cluster for the streaming tests: real PKI (a CA, the API server's kubelet client
// certificate, the kubelet's serving certificate, user certificates), an API server with
// RBAC that reaches kubelets with its client certificate, and a host-process kubelet that
// authenticates callers by --client-ca-file and TokenReview and authorizes them with
// SubjectAccessReviews — the way `tskube up` wires them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { issueCA, issueLeaf } from '../../src/admin/pki/issue.js';
import { importSigner } from '../../src/admin/pki/signer.js';
import { type Env, type KubeletProc, startEnvWith } from './harness.js';

export interface Pki { dir: string; ca: string; file(name: string): string }

/** A CA and leaf pairs NAME.crt/NAME.key in dir. */
export async function makePki(dir: string, leaves: { name: string; cn: string; orgs?: string[]; server?: boolean }[]): Promise<Pki> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = await issueCA('streaming-test-ca');
  fs.writeFileSync(path.join(dir, 'ca.crt'), ca.certPem);
  const signer = await importSigner(ca.certPem, ca.keyPem, 'ca');
  for (const l of leaves) {
    const pair = await issueLeaf(signer, {
      cn: l.cn, orgs: l.orgs ?? [], usages: l.server ? ['server'] : ['client'],
      sans: l.server ? { dns: ['localhost'], ips: ['127.0.0.1'] } : undefined,
    });
    fs.writeFileSync(path.join(dir, `${l.name}.crt`), pair.certPem);
    fs.writeFileSync(path.join(dir, `${l.name}.key`), pair.keyPem, { mode: 0o600 });
  }
  return { dir, ca: path.join(dir, 'ca.crt'), file: (n) => path.join(dir, n) };
}

export interface StreamingEnv extends Env {
  pki: Pki;
  kubelet: KubeletProc;
  node: string;
  /** kubectl as a user authenticated by a client certificate NAME.crt. */
  kubeconfigFor(certName: string): string;
  /** kubectl with extra environment (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false, …). */
  kubectl(args: string[], o?: { input?: string; env?: Record<string, string>; kubeconfig?: string; timeoutMs?: number }): { code: number; stdout: string; stderr: string };
  /** A long-running kubectl (port-forward, attach, logs -f). */
  spawnKubectl(args: string[], env?: Record<string, string>): ChildProcess;
}

/** kubeletArgs: more flags for the kubelet (--read-only-port, --node-log-dir, …). */
export async function startStreamingEnv(kubeletArgs: string[] = []): Promise<StreamingEnv> {
  const node = 'stream-node';
  const tmp = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', `tskube-streaming-${process.pid}-`));
  const pki = await makePki(tmp, [
    { name: 'apiserver-kubelet-client', cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'] },
    { name: 'kubelet-serving', cn: node, server: true },
    { name: 'viewer', cn: 'viewer' },
    { name: 'nobody', cn: 'nobody' },
  ]);
  const env = await startEnvWith({
    apiserverArgs: [
      '--client-ca-file', pki.ca, '--authorization-mode', 'Node,RBAC',
      '--kubelet-client-certificate', pki.file('apiserver-kubelet-client.crt'), '--kubelet-client-key', pki.file('apiserver-kubelet-client.key'),
      '--kubelet-certificate-authority', pki.ca, '--kubelet-preferred-address-types', 'InternalIP,Hostname',
    ],
  });
  const cleanup = env.stop;
  let kubelet: KubeletProc;
  try {
    kubelet = await env.startKubelet(node, [
      '--container-runtime-endpoint', 'host-process://', '--client-ca-file', pki.ca, '--anonymous-auth=false',
      '--authentication-token-webhook', '--authorization-mode', 'Webhook',
      '--tls-cert-file', pki.file('kubelet-serving.crt'), '--tls-private-key-file', pki.file('kubelet-serving.key'), ...kubeletArgs,
    ]);
  } catch (err) {
    await cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const kubeconfigFor = (name: string) => {
    const file = path.join(tmp, `${name}.kubeconfig`);
    fs.writeFileSync(file, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: e2e', '  cluster:', `    server: ${env.c.apiURL}`, '    insecure-skip-tls-verify: true',
      'users:', `- name: ${name}`, '  user:', `    client-certificate: ${pki.file(`${name}.crt`)}`, `    client-key: ${pki.file(`${name}.key`)}`,
      'contexts:', '- name: e2e', `  context: {cluster: e2e, user: ${name}, namespace: default}`,
      'current-context: e2e', '',
    ].join('\n'));
    return file;
  };
  const baseEnv = (extra: Record<string, string> = {}) => ({ ...process.env, HOME: env.c.dir, ...extra });
  return {
    ...env, pki, kubelet, node, kubeconfigFor,
    kubectl(args, o = {}) {
      const r = spawnSync('/usr/bin/kubectl', ['--kubeconfig', o.kubeconfig ?? env.c.kubeconfig, ...args],
        { input: o.input, encoding: 'utf8', timeout: o.timeoutMs ?? 30_000, env: baseEnv(o.env) });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    spawnKubectl(args, extra) {
      return spawn('/usr/bin/kubectl', ['--kubeconfig', env.c.kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: baseEnv(extra) });
    },
    async stop() {
      await cleanup();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
