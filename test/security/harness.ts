// Helpers for the security tests: a cluster whose API server knows several token users
// and has a service account key pair, raw HTTPS requests, and extra API servers on the
// same store (for restarts with another configuration).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOKEN, startCluster, type Cluster } from '../apiserver/harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** Token users beyond the harness's admin: jane (no groups), two kubelets. */
export const USERS = {
  admin: TOKEN,
  jane: 'jane-token-0123456789',
  node1: 'node1-token-0123456789',
  node2: 'node2-token-0123456789',
};

export interface SecureCluster extends Cluster {
  files: string;
  /** kubectl with a bearer token instead of the admin's. */
  as(token: string, args: string[], input?: string): { code: number; stdout: string; stderr: string };
  request(method: string, urlPath: string, o?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

export function writeSecurityFiles(dir: string): void {
  fs.writeFileSync(path.join(dir, 'tokens.csv'), [
    `${USERS.admin},e2e-admin,uid-1,"system:masters"`,
    `${USERS.jane},jane,uid-jane`,
    `${USERS.node1},system:node:node1,uid-n1,"system:nodes"`,
    `${USERS.node2},system:node:node2,uid-n2,"system:nodes"`,
  ].join('\n') + '\n');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  fs.writeFileSync(path.join(dir, 'sa.pub'), crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }));
}

export const saArgs = (dir: string) => [
  '--token-auth-file', path.join(dir, 'tokens.csv'),
  '--service-account-key-file', path.join(dir, 'sa.pub'), '--service-account-signing-key-file', path.join(dir, 'sa.key'),
  '--service-account-issuer', ISSUER,
];

export function request(base: string, method: string, urlPath: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: any; headers: Record<string, unknown> }>((resolve, reject) => {
    const data = o.body === undefined ? undefined : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
    const req = https.request(new URL(urlPath, base), {
      method, rejectUnauthorized: false,
      headers: { Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}), ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}), ...o.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any = text;
        try { body = JSON.parse(text); } catch { /* plain text */ }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

export async function startSecureCluster(args: string[] = []): Promise<SecureCluster> {
  const files = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-security-'));
  writeSecurityFiles(files);
  let c: Cluster;
  try {
    c = await startCluster({ apiserverArgs: [...saArgs(files), ...args] });
  } catch (err) {
    fs.rmSync(files, { recursive: true, force: true });
    throw err;
  }
  const stop = c.stop.bind(c);
  return {
    ...c, files,
    as: (token, a, input) => c.kubectl(['--token', token, ...a], input),
    request: (method, urlPath, o) => request(c.apiURL, method, urlPath, o),
    async stop() { await stop(); fs.rmSync(files, { recursive: true, force: true }); },
  };
}

/** Starts one more API server on a store; resolves with its URL, or rejects with its output if it exits. */
export async function startApiServer(etcdURL: string, dir: string, args: string[]): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'apiserver', '--etcd-servers', etcdURL, '--bind-address', '127.0.0.1',
    '--secure-port', '0', '--cert-dir', path.join(dir, 'certs2'), '--service-cluster-ip-range', '10.96.0.0/24', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => { reject(new Error(`apiserver did not start: ${text}`)); }, 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /serving securely on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m) { clearTimeout(timer); resolve(`https://127.0.0.1:${m[1]}`); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`apiserver exited with ${code}: ${text}`)); });
  }).catch(async (err) => { await stop(); throw err; });
  return { url, child, stop };
}

/** kubectl against another server URL with a token. */
export function kubectlAt(url: string, token: string, args: string[], input?: string) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tskube-kubectl-'));
  try {
    const r = spawnSync('/usr/bin/kubectl', ['--server', url, '--insecure-skip-tls-verify', '--token', token, ...args],
      { input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: home, KUBECONFIG: path.join(home, 'none') } });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** kubectl without blocking this process (needed while this process also serves a webhook). */
export function kubectlAsync(c: { kubeconfig: string; dir: string }, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/kubectl', ['--kubeconfig', c.kubeconfig, ...args], { env: { ...process.env, HOME: c.dir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
