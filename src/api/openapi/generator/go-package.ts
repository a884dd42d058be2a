// Upstream names OpenAPI definitions after the Go package a type lives in, reversed-domain
// style ("io.k8s.api.core.v1.Pod"). kubernetes-types lays its files out by group and
// version ("core/v1.d.ts"), so the Go package follows from the file's path.

const SPECIAL: Record<string, string> = {
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  version: 'io.k8s.apimachinery.pkg.version',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
};

/** IntOrString is inlined as `number | string` by kubernetes-types; upstream gives it a definition. */
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** `rel` is the declaration file's path inside the package, without `.d.ts` ("apps/v1"). */
export function goPackage(rel: string): string {
  return SPECIAL[rel] ?? `io.k8s.api.${rel.replace(/\//g, '.')}`;
}
