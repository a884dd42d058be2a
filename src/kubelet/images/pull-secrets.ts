// imagePullSecrets → registry credentials for one image, as upstream's credential keyring
// does it: kubernetes.io/dockerconfigjson (`{"auths": {...}}`) and kubernetes.io/dockercfg
// secrets, keys matched by registry host (globs like *.example.com allowed, ports must
// match) and path prefix, the most specific key first. docker.io's many spellings
// (index.docker.io/v1/, registry-1.docker.io) are one registry.
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import { isNotFound, type RestClient, SECRETS } from '../../client/index.js';
import type { AuthConfig } from '../runtime/runtime-service.js';
import { DOCKER_HUB, parseImageRef } from './image-ref.js';

interface DockerConfigEntry { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }

export interface Credential { key: string; host: string; path: string; auth: AuthConfig }

const HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);
const hostKey = (h: string) => (HUB_ALIASES.has(h) ? DOCKER_HUB : h.toLowerCase());

/** `https://index.docker.io/v1/`, `127.0.0.1:5000`, `*.example.com/team` → host and path. */
function parseKey(key: string): { host: string; path: string } {
  const noScheme = key.replace(/^[a-z]+:\/\//i, '');
  const slash = noScheme.indexOf('/');
  const host = slash < 0 ? noScheme : noScheme.slice(0, slash);
  let p = slash < 0 ? '' : noScheme.slice(slash + 1).replace(/\/+$/, '');
  if (HUB_ALIASES.has(host) && (p === 'v1' || p === 'v2')) p = ''; // the hub's API path, not a repository
  return { host: hostKey(host), path: p };
}

function entryAuth(e: DockerConfigEntry, server: string): AuthConfig {
  let username = e.username ?? '';
  let password = e.password ?? '';
  if (e.auth && !username) {
    const plain = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = plain.indexOf(':');
    if (i > 0) { username = plain.slice(0, i); password = plain.slice(i + 1); }
  }
  const out: AuthConfig = { username, password, serverAddress: server };
  if (e.identitytoken) out.identityToken = e.identitytoken;
  if (e.registrytoken) out.registryToken = e.registrytoken;
  return out;
}

/** The registry entries a secret carries (others types carry none). */
export function secretCredentials(s: Secret): Credential[] {
  const raw = s.data?.['.dockerconfigjson'] ?? s.data?.['.dockercfg'];
  if (!raw) return [];
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    return [];
  }
  const entries = (s.data?.['.dockerconfigjson'] ? doc.auths : doc) as Record<string, DockerConfigEntry> | undefined;
  return Object.entries(entries ?? {}).map(([key, e]) => {
    const { host, path } = parseKey(key);
    return { key, host, path, auth: entryAuth(e ?? {}, host) };
  });
}

function hostMatches(pattern: string, host: string): boolean {
  const [pHost, pPort = ''] = pattern.split(/:(?=\d+$)/);
  const [iHost, iPort = ''] = host.split(/:(?=\d+$)/);
  if (pPort !== iPort) return false;
  const pl = pHost.split('.');
  const il = iHost.split('.');
  if (pl.length !== il.length) return false;
  return pl.every((label, i) => new RegExp(`^${label.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*')}$`).test(il[i]));
}

/** Credentials that apply to `image`, most specific first (longer path, then exact host). */
export function credentialsFor(image: string, secrets: Secret[]): AuthConfig[] {
  const ref = parseImageRef(image);
  const host = hostKey(ref.registry);
  const matches = secrets.flatMap(secretCredentials).filter((c) =>
    hostMatches(c.host, host) && (!c.path || ref.repository === c.path || ref.repository.startsWith(c.path + '/')));
  matches.sort((a, b) => b.path.length - a.path.length || Number(b.host === host) - Number(a.host === host));
  return matches.map((c) => ({ ...c.auth, serverAddress: ref.registry }));
}

/** The pod's imagePullSecrets; a missing one is reported and skipped (the pull may still work). */
export async function fetchPullSecrets(client: RestClient | undefined, pod: Pod, warn: (message: string) => void): Promise<Secret[]> {
  const names = (pod.spec?.imagePullSecrets ?? []).map((r) => r.name).filter((n): n is string => !!n);
  if (!client || !names.length) return [];
  const ns = pod.metadata?.namespace ?? 'default';
  const out: Secret[] = [];
  for (const name of names) {
    try {
      out.push(await client.resource(SECRETS).get(ns, name));
    } catch (err) {
      warn(isNotFound(err)
        ? `Unable to retrieve some image pull secrets (${name}); attempting to pull the image may not succeed.`
        : `Unable to retrieve image pull secret ${name}: ${(err as Error).message}`);
    }
  }
  return out;
}
