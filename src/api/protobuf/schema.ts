// The Kubernetes message types, loaded once from proto/k8s (found by walking up from this
// module, so it works from src/ under tsx and from dist/).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const ENTRY_FILES = [
  'core/v1', 'apps/v1', 'batch/v1', 'rbac/v1', 'scheduling/v1', 'policy/v1', 'authorization/v1', 'authentication/v1',
  'autoscaling/v1', 'autoscaling/v2', 'coordination/v1', 'discovery/v1', 'events/v1', 'networking/v1', 'storage/v1',
  'certificates/v1', 'admissionregistration/v1', 'flowcontrol/v1', 'node/v1',
].map((gv) => `k8s.io/api/${gv}/generated.proto`);

export const META_PACKAGE = 'k8s.io.apimachinery.pkg.apis.meta.v1';

function protoDir(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'proto', 'k8s');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('proto/k8s not found above ' + fileURLToPath(import.meta.url));
  }
}

/** meta/v1 kinds every group version also registers. */
const META_KINDS = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions', 'Status', 'WatchEvent', 'List']);

let root: protobuf.Root | undefined;

export function k8sRoot(): protobuf.Root {
  if (root) return root;
  const dir = protoDir();
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => path.join(dir, target);
  r.loadSync([...ENTRY_FILES, 'k8s.io/apimachinery/pkg/runtime/generated.proto'], { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

export function lookupType(fullName: string): protobuf.Type | undefined {
  const found = k8sRoot().lookup(fullName);
  return found instanceof protobuf.Type ? found : undefined;
}

/** The message for apiVersion+kind: its group's package (named after the group's first DNS
 * label, "rbac.authorization.k8s.io" → rbac), else meta/v1 (DeleteOptions, Status, …). */
export function typeForKind(apiVersion: string, kind: string): protobuf.Type | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind) || !/^[a-z0-9]+$/.test(version)) return undefined;
  if (group === 'meta.k8s.io') return lookupType(`${META_PACKAGE}.${kind}`);
  const pkg = group === '' ? 'core' : group.split('.')[0];
  return lookupType(`k8s.io.api.${pkg}.${version}.${kind}`) ?? (META_KINDS.has(kind) ? lookupType(`${META_PACKAGE}.${kind}`) : undefined);
}
