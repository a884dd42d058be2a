// A k3s-style registries.yaml (`tskube up --registries-file`): per-registry mirrors, and
// per-host TLS settings and credentials, which tskube turns into containerd's hosts.toml
// files and CRI registry auth for every node's containerd.
//
//   mirrors:
//     docker.io:
//       endpoint: ["http://127.0.0.1:5000"]
//   configs:
//     "registry.example.com:5000":
//       auth: {username: me, password: secret}
//       tls: {ca_file: /etc/ssl/my-ca.pem, insecure_skip_verify: false}
import fs from 'node:fs';
import { parse } from 'yaml';
import type { RegistryHostConfig } from '../kubelet/runtime/cri/containerd-config.js';

export interface RegistriesConfig {
  mirrors: Record<string, string[]>;
  configs: Record<string, RegistryHostConfig>;
}

type Doc = Record<string, unknown>;

const isObj = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseRegistries(text: string, what = 'registries file'): RegistriesConfig {
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1' }) ?? {};
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
  if (!isObj(doc)) throw new Error(`${what}: want a mapping with mirrors and configs`);
  const out: RegistriesConfig = { mirrors: {}, configs: {} };
  for (const k of Object.keys(doc)) if (k !== 'mirrors' && k !== 'configs') throw new Error(`${what}: unknown key ${JSON.stringify(k)} (want mirrors, configs)`);
  const mirrors = doc.mirrors ?? {};
  if (!isObj(mirrors)) throw new Error(`${what}: mirrors must be a mapping of registry host → {endpoint: [URL, …]}`);
  for (const [host, m] of Object.entries(mirrors)) {
    const endpoints = isObj(m) ? m.endpoint : undefined;
    if (!Array.isArray(endpoints) || endpoints.some((e) => typeof e !== 'string')) throw new Error(`${what}: mirrors.${host}.endpoint must be a list of URLs`);
    out.mirrors[host] = (endpoints as string[]).map((e) => {
      const url = /^[a-z]+:\/\//i.test(e) ? e : `https://${e}`; // k3s: an endpoint without scheme is https
      if (!/^https?:\/\/[^/]+/.test(url)) throw new Error(`${what}: mirrors.${host}.endpoint ${JSON.stringify(e)} is not an http(s) URL`);
      return url.replace(/\/+$/, '');
    });
  }
  const configs = doc.configs ?? {};
  if (!isObj(configs)) throw new Error(`${what}: configs must be a mapping of registry host → {auth, tls}`);
  for (const [host, c] of Object.entries(configs)) {
    if (!isObj(c)) throw new Error(`${what}: configs.${host} must be a mapping with auth and/or tls`);
    const cfg: RegistryHostConfig = {};
    if (c.auth !== undefined) {
      if (!isObj(c.auth)) throw new Error(`${what}: configs.${host}.auth must be a mapping`);
      const a = c.auth;
      cfg.auth = {
        ...(a.username !== undefined ? { username: String(a.username) } : {}),
        ...(a.password !== undefined ? { password: String(a.password) } : {}),
        ...(a.auth !== undefined ? { auth: String(a.auth) } : {}),
        ...(a.identity_token !== undefined ? { identityToken: String(a.identity_token) } : {}),
      };
    }
    if (c.tls !== undefined) {
      if (!isObj(c.tls)) throw new Error(`${what}: configs.${host}.tls must be a mapping`);
      const t = c.tls;
      for (const f of ['ca_file', 'cert_file', 'key_file'] as const) {
        if (t[f] !== undefined && !fs.existsSync(String(t[f]))) throw new Error(`${what}: configs.${host}.tls.${f} ${t[f]}: no such file`);
      }
      cfg.tls = {
        ...(t.ca_file !== undefined ? { caFile: String(t.ca_file) } : {}),
        ...(t.cert_file !== undefined ? { certFile: String(t.cert_file) } : {}),
        ...(t.key_file !== undefined ? { keyFile: String(t.key_file) } : {}),
        ...(t.insecure_skip_verify !== undefined ? { insecureSkipVerify: Boolean(t.insecure_skip_verify) } : {}),
      };
    }
    out.configs[host] = cfg;
  }
  return out;
}

export function readRegistriesFile(file: string): RegistriesConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--registries-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return parseRegistries(text, `--registries-file ${file}`);
}

/** Mirrors from the file, then from --registry-mirror flags (flags' endpoints come first, as they are more specific). */
export function mergeMirrors(file: Record<string, string[]>, flags: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const host of new Set([...Object.keys(flags), ...Object.keys(file)])) out[host] = [...new Set([...(flags[host] ?? []), ...(file[host] ?? [])])];
  return out;
}
