// Pod spec checks (core validation.ValidatePodSpec), the common subset clients hit first.
import type { Container, PodSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../resources/resource-def.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from '../status/index.js';
import { isDNS1123Label as dns1123Label } from '../selectors/index.js';
import { jsonEqual } from '../json/json-equal.js';

function validateContainers(list: Container[] | undefined, path: string, needOne: boolean, init = false): FieldError[] {
  const errs: FieldError[] = [];
  if (!list || list.length === 0) {
    if (needOne) errs.push(required(path));
    return errs;
  }
  const seen = new Set<string>();
  list.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!c.name) errs.push(required(`${p}.name`));
    else {
      for (const why of dns1123Label(c.name)) errs.push(invalid(`${p}.name`, c.name, why));
      if (seen.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
      seen.add(c.name);
    }
    if (!c.image) errs.push(required(`${p}.image`));
    // a container restartPolicy makes an init container a sidecar; nothing else may carry one
    if (c.restartPolicy !== undefined && !init) errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    else if (c.restartPolicy !== undefined && c.restartPolicy !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
    if (c.imagePullPolicy && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
      errs.push(notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']));
    }
    (c.ports ?? []).forEach((port, j) => {
      if (!(port.containerPort >= 1 && port.containerPort <= 65535)) errs.push(invalid(`${p}.ports[${j}].containerPort`, port.containerPort, 'must be between 1 and 65535, inclusive'));
    });
  });
  return errs;
}

export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateContainers(spec?.containers, `${path}.containers`, true));
  errs.push(...validateContainers(spec?.initContainers, `${path}.initContainers`, false, true));
  const rp = spec?.restartPolicy;
  if (rp && !['Always', 'OnFailure', 'Never'].includes(rp)) errs.push(notSupported(`${path}.restartPolicy`, rp, ['Always', 'OnFailure', 'Never']));
  const dp = spec?.dnsPolicy;
  if (dp && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(dp)) errs.push(notSupported(`${path}.dnsPolicy`, dp, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  return errs;
}

export function validatePod(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validatePodSpec(obj.spec, 'spec');
  if (old) {
    // Most of a pod's spec is immutable; images (and a few others) may change.
    const noImage = (list: any) => (list ?? []).map((c: any) => ({ ...c, image: undefined }));
    const strip = (s: any) => JSON.stringify({ ...s, containers: noImage(s?.containers), initContainers: noImage(s?.initContainers), activeDeadlineSeconds: undefined, tolerations: undefined, terminationGracePeriodSeconds: undefined });
    // An unchanged spec (every status write) needs no encoding.
    if (!jsonEqual(obj.spec, old.spec) && strip(obj.spec) !== strip(old.spec)) {
      errs.push(forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'));
    }
  }
  return errs;
}
