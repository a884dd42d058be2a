// PodSecurityConfiguration (pod-security.admission.config.k8s.io/v1, also v1beta1/v1alpha1),
// given to the PodSecurity plugin through --admission-control-config-file: the levels used
// where a namespace sets no label (defaults), and who is never checked (exemptions).
export const LEVELS = ['privileged', 'baseline', 'restricted'];
const VERSIONS = ['pod-security.admission.config.k8s.io/v1', 'pod-security.admission.config.k8s.io/v1beta1', 'pod-security.admission.config.k8s.io/v1alpha1'];

export interface PodSecurityConfig {
  defaults: Record<'enforce' | 'audit' | 'warn', { level: string; version: string }>;
  exemptions: { usernames: string[]; namespaces: string[]; runtimeClasses: string[] };
}

const q = (s: string) => JSON.stringify(s);

/** The configuration, or an Error listing upstream-style field errors. */
export function podSecurityConfig(raw: Record<string, any> | undefined): PodSecurityConfig {
  const d = raw?.defaults ?? {};
  const errors: string[] = [];
  if (raw && (raw.kind !== 'PodSecurityConfiguration' || !VERSIONS.includes(raw.apiVersion))) {
    errors.push(`PodSecurity configuration must be kind PodSecurityConfiguration, apiVersion ${VERSIONS[0]} (got ${raw.apiVersion ?? '""'}/${raw.kind ?? '""'})`);
  }
  const mode = (m: 'enforce' | 'audit' | 'warn') => {
    const level = d[m] ?? 'privileged';
    const version = d[`${m}-version`] ?? 'latest';
    if (!LEVELS.includes(level)) errors.push(`defaults.${m}: Unsupported value: ${q(level)}: supported values: ${LEVELS.map(q).join(', ')}`);
    if (version !== 'latest' && !/^v1\.(0|[1-9]\d*)$/.test(version)) errors.push(`defaults.${m}-version: Invalid value: ${q(version)}: must be "latest" or "v1.x"`);
    return { level, version };
  };
  const defaults = { enforce: mode('enforce'), audit: mode('audit'), warn: mode('warn') };
  const list = (k: string): string[] => {
    const v = raw?.exemptions?.[k] ?? [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x)) { errors.push(`exemptions.${k}: Invalid value: must be a list of non-empty strings`); return []; }
    return v;
  };
  const exemptions = { usernames: list('usernames'), namespaces: list('namespaces'), runtimeClasses: list('runtimeClasses') };
  if (errors.length) throw new Error(`invalid PodSecurity configuration: ${errors.join('; ')}`);
  return { defaults, exemptions };
}
