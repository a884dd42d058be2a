// PodSecurity: the Pod Security Standards (baseline, restricted) enforced, warned about or
// audited per namespace by the labels pod-security.kubernetes.io/enforce|warn|audit, with the
// defaults and exemptions (usernames, namespaces, runtimeClasses) of a PodSecurityConfiguration
// (--admission-control-config-file); exemptions and audit results become audit annotations.
import { namespaces } from '../../../api/resources/core-v1.js';
import type { KubeObject } from '../../../api/resources/resource-def.js';
import { newForbidden } from '../../../api/status/index.js';
import { isPod, type PluginFactory } from '../plugin.js';
import { LEVELS, podSecurityConfig } from './pod-security-config.js';

export const NAME = 'PodSecurity';
const LABEL = 'pod-security.kubernetes.io/';
const BASELINE_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

const quoteList = (noun: string, names: string[]) => `${names.length === 1 ? noun : `${noun}s`} ${names.map((n) => JSON.stringify(n)).join(', ')}`;

/** Each check failing the level, as `summary (detail)`, in upstream's order. */
export function violations(pod: KubeObject, level: string): string[] {
  if (level === 'privileged') return [];
  const spec = pod.spec ?? {};
  const psc = spec.securityContext ?? {};
  const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  const out: string[] = [];
  const bad = (pred: (c: any) => boolean) => containers.filter(pred).map((c) => c.name);

  const hostNs = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => spec[k] === true).map((k) => `${k}=true`);
  if (hostNs.length) out.push(`host namespaces (${hostNs.join(', ')})`);
  const priv = bad((c) => c.securityContext?.privileged === true);
  if (priv.length) out.push(`privileged (${quoteList('container', priv)} must not set securityContext.privileged=true)`);
  const caps = containers.flatMap((c) => (c.securityContext?.capabilities?.add ?? []).filter((x: string) => !BASELINE_CAPS.includes(x)).map((x: string) => [c.name, x]));
  if (caps.length) {
    const names = [...new Set(caps.map(([n]) => n))];
    out.push(`non-default capabilities (${quoteList('container', names)} must not include ${[...new Set(caps.map(([, x]) => JSON.stringify(x)))].join(', ')} in securityContext.capabilities.add)`);
  }
  const hostPath = (spec.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => v.name);
  if (hostPath.length) out.push(`hostPath volumes (${quoteList('volume', hostPath)})`);
  const ports = containers.flatMap((c) => (c.ports ?? []).filter((p: any) => p.hostPort).map((p: any) => `${JSON.stringify(c.name)} uses hostPort ${p.hostPort}`));
  if (ports.length) out.push(`hostPort (${ports.length === 1 ? 'container' : 'containers'} ${ports.join(', ')})`);
  const unconfined = psc.seccompProfile?.type === 'Unconfined';
  const unconfinedC = bad((c) => c.securityContext?.seccompProfile?.type === 'Unconfined');
  if (unconfined || unconfinedC.length) {
    const who = [unconfined ? 'pod' : '', unconfinedC.length ? quoteList('container', unconfinedC) : ''].filter(Boolean).join(' and ');
    out.push(`seccompProfile (${who} must not set securityContext.seccompProfile.type to "Unconfined")`);
  }
  if (level !== 'restricted') return out;

  const volumes = (spec.volumes ?? []).flatMap((v: any) => {
    const type = Object.keys(v).find((k) => k !== 'name');
    return type && !RESTRICTED_VOLUMES.includes(type) ? [[v.name, type]] : [];
  });
  if (volumes.length) out.push(`restricted volume types (${volumes.map(([n, t]: string[]) => `volume ${JSON.stringify(n)} uses restricted volume type ${JSON.stringify(t)}`).join(', ')})`);
  const escalation = bad((c) => c.securityContext?.allowPrivilegeEscalation !== false);
  if (escalation.length) out.push(`allowPrivilegeEscalation != false (${quoteList('container', escalation)} must set securityContext.allowPrivilegeEscalation=false)`);
  const noDrop = bad((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'));
  const extraAdd = bad((c) => (c.securityContext?.capabilities?.add ?? []).some((x: string) => x !== 'NET_BIND_SERVICE'));
  if (noDrop.length || extraAdd.length) {
    const parts = [];
    if (noDrop.length) parts.push(`${quoteList('container', noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
    if (extraAdd.length) parts.push(`${quoteList('container', extraAdd)} must not include capabilities other than "NET_BIND_SERVICE" in securityContext.capabilities.add`);
    out.push(`unrestricted capabilities (${parts.join('; ')})`);
  }
  const nonRoot = psc.runAsNonRoot === true;
  const rootC = bad((c) => c.securityContext?.runAsNonRoot === false || (!nonRoot && c.securityContext?.runAsNonRoot !== true));
  if (psc.runAsNonRoot === false || rootC.length) {
    out.push(`runAsNonRoot != true (${nonRoot || psc.runAsNonRoot === false ? quoteList('container', rootC) : `pod or ${quoteList('container', rootC)}`} must ${psc.runAsNonRoot === false ? 'not set securityContext.runAsNonRoot=false' : 'set securityContext.runAsNonRoot=true'})`);
  }
  const podSeccomp = ['RuntimeDefault', 'Localhost'].includes(psc.seccompProfile?.type);
  const seccompC = bad((c) => {
    const t = c.securityContext?.seccompProfile?.type;
    return t ? !['RuntimeDefault', 'Localhost'].includes(t) : !podSeccomp;
  });
  if (seccompC.length) {
    out.push(`seccompProfile (${podSeccomp ? '' : 'pod or '}${quoteList('container', seccompC)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`);
  }
  return out;
}

export const newPodSecurity: PluginFactory = (ctx) => {
  // a bad configuration ends the start (buildAdmission runs before the server serves)
  const conf = podSecurityConfig(ctx.config?.(NAME));
  return {
    name: NAME,
    async validate(a) {
      if (!isPod(a) || a.operation !== 'CREATE' || !a.object || !a.namespace) return;
      const annotate = a.annotate ?? (() => {});
      // exemptions, in upstream's order: namespace, then the requesting user, then the runtime class
      const exempt = conf.exemptions.namespaces.includes(a.namespace) ? 'namespace'
        : conf.exemptions.usernames.includes(a.user.name) ? 'user'
          : conf.exemptions.runtimeClasses.includes(a.object.spec?.runtimeClassName ?? '') ? 'runtimeClass' : undefined;
      if (exempt) { annotate(`${LABEL}exempt`, exempt); return; }
      const labels = (await ctx.get(namespaces, '', a.namespace))?.metadata?.labels ?? {};
      const mode = (m: 'enforce' | 'audit' | 'warn') => {
        const label = labels[`${LABEL}${m}`];
        const level = label && LEVELS.includes(label) ? label : conf.defaults[m].level;
        return { level, tag: `${level}:${labels[`${LABEL}${m}-version`] ?? conf.defaults[m].version}` };
      };
      const enforce = mode('enforce');
      annotate(`${LABEL}enforce-policy`, enforce.tag);
      const v = violations(a.object, enforce.level);
      if (v.length) throw newForbidden({ group: '', resource: 'pods' }, a.name, `violates PodSecurity ${JSON.stringify(enforce.tag)}: ${v.join(', ')}`);
      const warn = mode('warn');
      const w = violations(a.object, warn.level);
      if (w.length) a.warn(`would violate PodSecurity ${JSON.stringify(warn.tag)}: ${w.join(', ')}`);
      const audit = mode('audit');
      const u = violations(a.object, audit.level);
      if (u.length) annotate(`${LABEL}audit-violations`, `would violate PodSecurity ${JSON.stringify(audit.tag)}: ${u.join(', ')}`);
    },
  };
};
