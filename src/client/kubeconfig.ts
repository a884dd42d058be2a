// Kubeconfig loading (clientcmd's rules, the parts tskube uses): the current context picks
// a cluster (server, CA) and a user (token, token file, client certificate); relative file
// paths resolve against the kubeconfig's folder. Also the in-cluster configuration a pod
// gets from its service account.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { ClientConfig } from './client-config.js';

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

interface Named<T> { name?: unknown; [k: string]: unknown; cluster?: T; user?: T; context?: T }
type Section = Record<string, unknown>;

export interface LoadOptions {
  /** Use this context instead of current-context. */
  context?: string;
  /** Overrides the context's namespace. */
  namespace?: string;
}

const str = (v: unknown, what: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new KubeconfigError(`${what} must be a string`);
  return v;
};

function findNamed(list: unknown, field: 'cluster' | 'user' | 'context', name: string, file: string): Section {
  if (list !== undefined && list !== null && !Array.isArray(list)) throw new KubeconfigError(`${file}: ${field}s must be a list`);
  const entry = ((list ?? []) as Named<Section>[]).find((e) => e && typeof e === 'object' && e.name === name);
  if (!entry) throw new KubeconfigError(`${file}: ${field} "${name}" not found`);
  const body = entry[field];
  if (!body || typeof body !== 'object') throw new KubeconfigError(`${file}: ${field} "${name}" has no ${field} section`);
  return body as Section;
}

/** Reads a PEM from `<field>-data` (base64) or from the file named by `<field>`. */
function pem(section: Section, field: string, dir: string, what: string): Buffer | undefined {
  const data = str(section[`${field}-data`], `${what}.${field}-data`);
  if (data) return Buffer.from(data, 'base64');
  const file = str(section[field], `${what}.${field}`);
  if (!file) return undefined;
  const full = path.isAbsolute(file) ? file : path.join(dir, file);
  try {
    return fs.readFileSync(full);
  } catch (err) {
    throw new KubeconfigError(`${what}.${field}: cannot read ${full}: ${(err as Error).message}`);
  }
}

/**
 * The last configs parsed, by file, options and text: a component reads the same kubeconfig
 * for its client and for delegated authentication and authorization (kubeadm gives the
 * scheduler and controller manager one file for all three), and YAML with embedded
 * certificates takes ~20 ms to parse on a component's start.
 */
const parsed = new Map<string, ClientConfig>();
const PARSED_KEPT = 8;

/** Parses kubeconfig text; `file` names it in errors and anchors relative paths. */
export function parseKubeconfig(text: string, file = 'kubeconfig', opts: LoadOptions = {}): ClientConfig {
  const key = `${path.resolve(file)}\0${opts.context ?? ''}\0${opts.namespace ?? ''}\0${text}`;
  let cfg = parsed.get(key);
  if (!cfg) {
    cfg = parseKubeconfigText(text, file, opts);
    if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, cfg);
  }
  return { ...cfg }; // each caller its own object to change
}

function parseKubeconfigText(text: string, file: string, opts: LoadOptions): ClientConfig {
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1' });
  } catch (err) {
    throw new KubeconfigError(`${file}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new KubeconfigError(`${file}: not a kubeconfig (expected a mapping)`);
  const cfg = doc as Section;
  if (cfg.kind !== undefined && cfg.kind !== 'Config') throw new KubeconfigError(`${file}: kind is ${JSON.stringify(cfg.kind)}, expected "Config"`);
  const contextName = opts.context ?? str(cfg['current-context'], 'current-context');
  if (!contextName) throw new KubeconfigError(`${file}: current-context is not set`);
  const dir = path.dirname(path.resolve(file));
  const ctx = findNamed(cfg.contexts, 'context', contextName, file);
  const clusterName = str(ctx.cluster, `context "${contextName}".cluster`);
  if (!clusterName) throw new KubeconfigError(`${file}: context "${contextName}" names no cluster`);
  const cluster = findNamed(cfg.clusters, 'cluster', clusterName, file);
  const server = str(cluster.server, `cluster "${clusterName}".server`);
  if (!server) throw new KubeconfigError(`${file}: cluster "${clusterName}" has no server`);
  try {
    new URL(server);
  } catch {
    throw new KubeconfigError(`${file}: cluster "${clusterName}" server ${JSON.stringify(server)} is not a URL`);
  }
  const userName = str(ctx.user, `context "${contextName}".user`);
  const user = userName ? findNamed(cfg.users, 'user', userName, file) : {};
  const skip = cluster['insecure-skip-tls-verify'];
  if (skip !== undefined && typeof skip !== 'boolean') throw new KubeconfigError(`${file}: cluster "${clusterName}" insecure-skip-tls-verify must be a boolean`);
  const tokenFile = str(user.tokenFile, `user "${userName}".tokenFile`);
  return {
    server: server.replace(/\/+$/, ''),
    ca: pem(cluster, 'certificate-authority', dir, `cluster "${clusterName}"`),
    insecureSkipTLSVerify: skip === true,
    tlsServerName: str(cluster['tls-server-name'], `cluster "${clusterName}".tls-server-name`),
    token: str(user.token, `user "${userName}".token`),
    tokenFile: tokenFile && !path.isAbsolute(tokenFile) ? path.join(dir, tokenFile) : tokenFile,
    clientCert: pem(user, 'client-certificate', dir, `user "${userName}"`),
    clientKey: pem(user, 'client-key', dir, `user "${userName}"`),
    namespace: opts.namespace ?? str(ctx.namespace, `context "${contextName}".namespace`) ?? 'default',
  };
}

/** Loads a kubeconfig file (the first of a KUBECONFIG-style list when `file` is absent). */
export function loadKubeconfig(file?: string, opts: LoadOptions = {}): ClientConfig {
  const chosen = file ?? process.env.KUBECONFIG?.split(path.delimiter).find(Boolean) ?? path.join(process.env.HOME ?? '', '.kube', 'config');
  let text: string;
  try {
    text = fs.readFileSync(chosen, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`cannot read kubeconfig ${chosen}: ${(err as Error).message}`);
  }
  return parseKubeconfig(text, chosen, opts);
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** rest.InClusterConfig: the service host/port from the environment, token and CA from the mounted service account. */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, saDir = SERVICE_ACCOUNT_DIR): ClientConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new KubeconfigError('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const tokenFile = path.join(saDir, 'token');
  if (!fs.existsSync(tokenFile)) throw new KubeconfigError(`unable to load in-cluster configuration: ${tokenFile} does not exist`);
  const caFile = path.join(saDir, 'ca.crt');
  let namespace = 'default';
  try {
    namespace = fs.readFileSync(path.join(saDir, 'namespace'), 'utf8').trim() || 'default';
  } catch { /* no namespace file: default */ }
  const h = host.includes(':') ? `[${host}]` : host;
  return {
    server: `https://${h}:${port}`,
    ca: fs.existsSync(caFile) ? fs.readFileSync(caFile) : undefined,
    tokenFile,
    namespace,
  };
}
