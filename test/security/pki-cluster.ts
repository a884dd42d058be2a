// A control plane as kubeadm wires it, for the security tests: the admin PKI tree and
// client-certificate kubeconfigs, `tskube etcd`, and `tskube apiserver` with --client-ca-file
// (its own serving certificate, service account keys, the flags the test passes), plus
// helpers to start the scheduler, controller manager and hollow kubelets with their own
// identities, and the real kubectl with any kubeconfig. stop() ends every process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePki, type Pki } from '../../src/admin/pki/ensure-pki.js';
import { ensureKubeconfig } from '../../src/admin/kubeconfig/ensure-kubeconfig.js';
import { adminKubeconfig, controllerManagerKubeconfig, kubeletKubeconfig, schedulerKubeconfig, type KubeconfigSpec } from '../../src/admin/kubeconfig/kubeconfig-specs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(root, 'dist/src/cli/main.js');

export interface Proc { child: ChildProcess; output(): string; stop(): Promise<void> }

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(t);
}

/** Spawns `tskube ARGS`; resolves once `ready` matches its stderr (with the match), rejects with its output if it exits. */
export function startTskube(args: string[], ready: RegExp, ms = 60_000): Promise<Proc & { match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
  const proc = { child, output: () => text, stop: () => stopChild(child) };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void proc.stop(); reject(new Error(`tskube ${args[0]} did not start:\n${text}`)); }, ms);
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (process.env.TSKUBE_TEST_LOG) process.stderr.write(d);
      const m = ready.exec(text);
      if (m) { clearTimeout(timer); resolve({ ...proc, match: m }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`tskube ${args[0]} exited with ${code}:\n${text}`)); });
  });
}

/** Runs `tskube ARGS` to completion (for start-up failures). */
export function runTskube(args: string[], ms = 60_000): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: ms });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface PkiCluster {
  dir: string;
  pki: Pki;
  pkiDir: string;
  etcdURL: string;
  apiURL: string;
  apiserver: Proc;
  /** Writes NAME.conf for a client-certificate user and returns its path. */
  kubeconfig(spec: KubeconfigSpec): Promise<string>;
  admin: string;
  kubectl(kubeconfig: string | undefined, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  k(...args: string[]): Promise<string>;
  startScheduler(args?: string[]): Promise<Proc>;
  startControllerManager(args?: string[]): Promise<Proc>;
  startKubelet(node: string, args?: string[]): Promise<Proc>;
  /** A second API server on the same etcd with the cluster's flags plus `args`; its URL. */
  startApiserver(args: string[]): Promise<Proc & { url: string }>;
  stop(): Promise<void>;
}

/** `apiserverArgs` may be a function of the PKI directory's file paths (which exist only once the tree is written). */
export async function startPkiCluster(apiserverArgs: string[] | ((pk: (f: string) => string) => string[]) = []): Promise<PkiCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tskube-pki-cluster-${process.pid}-`));
  const procs: Proc[] = [];
  const stopAll = async () => {
    for (const p of procs.reverse()) await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pkiDir = path.join(dir, 'pki');
    const pki = await ensurePki({ certDir: pkiDir, advertiseAddress: '127.0.0.1', serviceCIDR: '10.96.0.0/24', nodeName: 'cp' });
    const etcd = await startTskube(['etcd', '--data-dir', path.join(dir, 'etcd'), '--listen-client-urls', 'http://127.0.0.1:0', '--advertise-client-urls', 'http://127.0.0.1:0'],
      /serving client requests on 127\.0\.0\.1:(\d+)/);
    procs.push(etcd);
    const etcdURL = `http://127.0.0.1:${etcd.match[1]}`;
    const pk = (f: string) => path.join(pkiDir, f);
    const startApiserver = (more: string[]) => startTskube(['apiserver', '--etcd-servers', etcdURL, '--bind-address', '127.0.0.1', '--secure-port', '0',
      '--advertise-address', '127.0.0.1', '--service-cluster-ip-range', '10.96.0.0/24', '--cert-dir', path.join(dir, 'certs'),
      '--client-ca-file', pk('ca.crt'), '--tls-cert-file', pk('apiserver.crt'), '--tls-private-key-file', pk('apiserver.key'),
      '--service-account-key-file', pk('sa.pub'), '--service-account-signing-key-file', pk('sa.key'),
      '--service-account-issuer', 'https://kubernetes.default.svc.cluster.local', ...(typeof apiserverArgs === 'function' ? apiserverArgs(pk) : apiserverArgs), ...more],
    /serving securely on 127\.0\.0\.1:(\d+)/);
    const apiserver = await startApiserver([]);
    procs.push(apiserver);
    const apiURL = `https://127.0.0.1:${apiserver.match[1]}`;
    const kubeconfig = async (spec: KubeconfigSpec) => {
      await ensureKubeconfig(dir, spec, { clusterName: 'tskube', server: apiURL, ca: pki.cas.ca });
      return path.join(dir, spec.file);
    };
    const admin = await kubeconfig(adminKubeconfig());
    // No credentials the server knows: kubectl needs some user to not prompt for one, and a
    // bare username (sent as Basic auth, which the API server does not serve) makes the request anonymous.
    fs.writeFileSync(path.join(dir, 'anonymous.conf'), [
      'apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster:', `    server: ${apiURL}`, `    certificate-authority: ${pk('ca.crt')}`,
      'users:', '- name: anonymous', '  user: {username: anonymous}', 'contexts:', '- name: c', '  context: {cluster: c, user: anonymous}', 'current-context: c', '',
    ].join('\n'));
    const kubectl = (conf: string | undefined, args: string[], input?: string) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const flags = ['--kubeconfig', conf ?? path.join(dir, 'anonymous.conf')];
      const child = spawn('/usr/bin/kubectl', [...flags, ...args], { env: { ...process.env, HOME: dir } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d; });
      child.stderr.on('data', (d: Buffer) => { stderr += d; });
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
    const started = async (p: Promise<Proc>) => { const x = await p; procs.push(x); return x; };
    return {
      dir, pki, pkiDir, etcdURL, apiURL, apiserver, kubeconfig, admin, kubectl,
      async k(...args: string[]) {
        const r = await kubectl(admin, args);
        if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
        return r.stdout;
      },
      startScheduler: async (args = []) => started(startTskube(['scheduler', '--kubeconfig', await kubeconfig(schedulerKubeconfig()), '--bind-address', '127.0.0.1',
        '--secure-port', '0', ...args], /on https:\/\/127\.0\.0\.1:(\d+)/)),
      startControllerManager: async (args = []) => {
        const conf = await kubeconfig(controllerManagerKubeconfig());
        return started(startTskube(['controller-manager', '--kubeconfig', conf, '--authentication-kubeconfig', conf, '--authorization-kubeconfig', conf,
          '--bind-address', '127.0.0.1', '--secure-port', '0', '--root-ca-file', pk('ca.crt'), ...args], /on https:\/\/127\.0\.0\.1:(\d+)/));
      },
      startKubelet: async (node, args = []) => {
        const conf = await kubeconfig(kubeletKubeconfig(node, `kubelet-${node}.conf`));
        return started(startTskube(['kubelet', '--kubeconfig', conf, '--hostname-override', node, '--root-dir', path.join(dir, 'nodes', node),
          '--container-runtime-endpoint', 'hollow://', '--port', '0', '--healthz-port', '0', '--read-only-port', '0', '--address', '127.0.0.1', '--node-ip', '127.0.0.1', ...args], /kubelet: started/));
      },
      startApiserver: async (args) => {
        const p = await started(startApiserver(args));
        return { ...p, url: `https://127.0.0.1:${(p as Proc & { match: RegExpMatchArray }).match[1]}` };
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
