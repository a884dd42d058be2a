// Reads a KubeSchedulerConfiguration file (YAML or JSON), checks it as upstream's
// validation does for the fields tskube uses, and fills the defaults.
import fs from 'node:fs';
import { parse } from 'yaml';
import { CONFIG_API_VERSION, CONFIG_KIND, DEFAULT_SCHEDULER_NAME, type KubeSchedulerConfiguration } from './types.js';
import { parseDuration } from './duration.js';

export class ConfigError extends Error {}

export function defaultConfig(): KubeSchedulerConfiguration {
  return {
    apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, parallelism: 16,
    leaderElection: { leaderElect: true, leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s', resourceLock: 'leases', resourceName: 'kube-scheduler', resourceNamespace: 'kube-system' },
    percentageOfNodesToScore: 0, podInitialBackoffSeconds: 1, podMaxBackoffSeconds: 10,
    profiles: [{ schedulerName: DEFAULT_SCHEDULER_NAME }],
  };
}

export function parseConfig(text: string, file = 'config'): KubeSchedulerConfiguration {
  let doc: any;
  try {
    doc = parse(text, { version: '1.1' });
  } catch (err) {
    throw new ConfigError(`${file}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${file}: expected a KubeSchedulerConfiguration object`);
  if (doc.apiVersion !== CONFIG_API_VERSION || doc.kind !== CONFIG_KIND) {
    throw new ConfigError(`${file}: no kind "${doc.kind ?? ''}" is registered for version "${doc.apiVersion ?? ''}" (want apiVersion ${CONFIG_API_VERSION}, kind ${CONFIG_KIND})`);
  }
  const d = defaultConfig();
  const cfg: KubeSchedulerConfiguration = {
    ...d, ...doc,
    leaderElection: { ...d.leaderElection, ...(doc.leaderElection ?? {}) },
    profiles: doc.profiles?.length ? doc.profiles : d.profiles,
  };
  for (const p of cfg.profiles!) p.schedulerName ??= DEFAULT_SCHEDULER_NAME;
  const errs = validateConfig(cfg);
  if (errs.length) throw new ConfigError(`${file}: invalid configuration: ${errs.join('; ')}`);
  return cfg;
}

export function loadConfig(file: string): KubeSchedulerConfiguration {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`failed to read config file "${file}": ${(err as Error).message}`);
  }
  return parseConfig(text, file);
}

export function validateConfig(cfg: KubeSchedulerConfiguration): string[] {
  const errs: string[] = [];
  const pct = (v: number | undefined, path: string) => {
    if (v !== undefined && (typeof v !== 'number' || v < 0 || v > 100)) errs.push(`${path}: Invalid value: ${JSON.stringify(v)}: not in valid range [0-100]`);
  };
  pct(cfg.percentageOfNodesToScore, 'percentageOfNodesToScore');
  if (cfg.parallelism !== undefined && !(cfg.parallelism > 0)) errs.push(`parallelism: Invalid value: ${cfg.parallelism}: should be an integer value greater than zero`);
  if ((cfg.podInitialBackoffSeconds ?? 1) <= 0) errs.push(`podInitialBackoffSeconds: Invalid value: ${cfg.podInitialBackoffSeconds}: must be greater than 0`);
  if ((cfg.podMaxBackoffSeconds ?? 10) < (cfg.podInitialBackoffSeconds ?? 1)) errs.push(`podMaxBackoffSeconds: Invalid value: ${cfg.podMaxBackoffSeconds}: must be greater than or equal to PodInitialBackoffSeconds`);
  const le = cfg.leaderElection ?? {};
  for (const f of ['leaseDuration', 'renewDeadline', 'retryPeriod'] as const) {
    try { parseDuration(String(le[f] ?? '1s')); } catch (e) { errs.push(`leaderElection.${f}: ${(e as Error).message}`); }
  }
  const names = new Set<string>();
  (cfg.profiles ?? []).forEach((p, i) => {
    if (!p.schedulerName) errs.push(`profiles[${i}].schedulerName: Required value`);
    else if (names.has(p.schedulerName)) errs.push(`profiles[${i}].schedulerName: Duplicate value: "${p.schedulerName}"`);
    names.add(p.schedulerName ?? '');
    pct(p.percentageOfNodesToScore, `profiles[${i}].percentageOfNodesToScore`);
    const seen = new Set<string>();
    (p.pluginConfig ?? []).forEach((pc, j) => {
      if (seen.has(pc.name)) errs.push(`profiles[${i}].pluginConfig[${j}]: Duplicate value: "${pc.name}"`);
      seen.add(pc.name);
    });
  });
  return errs;
}
