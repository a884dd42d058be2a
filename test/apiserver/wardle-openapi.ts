// The OpenAPI documents of the test's extension API server (wardle.example.com/v1alpha1,
// kinds Flunder and Fischer), shaped as a k8s.io/apiserver-based server publishes them. The
// Swagger document also carries what the aggregator must cut or rename: a path of another
// group (with a definition only it uses), an ObjectMeta that differs from kube-apiserver's
// (so it merges as ObjectMeta_v2), a used and an unused shared parameter.
export const GROUP = 'wardle.example.com';
export const GV = `${GROUP}/v1alpha1`;
const PKG = 'com.example.wardle.v1alpha1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (kind: string) => ({ group: GROUP, version: 'v1alpha1', kind });
const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

/** Flunders take fieldValidation (kubectl leaves validation to the server); fischers do not (kubectl validates with /openapi/v2). */
export function wardleSwagger(fischerSpecDescription: string) {
  const patch = (kind: string, fieldValidation: boolean) => ({
    operationId: `patchNamespaced${kind}`, consumes: ['application/merge-patch+json'], produces: ['application/json'],
    parameters: [{ name: 'body', in: 'body', required: true, schema: { type: 'object' } }, ...(fieldValidation ? [{ $ref: '#/parameters/fieldValidation-wardle' }] : [])],
    responses: { 200: { description: 'OK', schema: ref(`${PKG}.${kind}`) } },
    'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': gvk(kind),
  });
  const object = (kind: string, description: string) => ({
    description, type: 'object', 'x-kubernetes-group-version-kind': [gvk(kind)],
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: ref(`${META}.ObjectMeta`), spec: ref(`${PKG}.${kind}Spec`) },
  });
  return {
    swagger: '2.0', info: { title: 'wardle-server', version: 'v0.1.0' },
    paths: {
      [`/apis/${GV}/namespaces/{namespace}/flunders/{name}`]: { patch: patch('Flunder', true), parameters: [{ name: 'name', in: 'path', required: true, type: 'string' }] },
      [`/apis/${GV}/namespaces/{namespace}/fischers/{name}`]: { patch: patch('Fischer', false), parameters: [{ name: 'name', in: 'path', required: true, type: 'string' }] },
      '/apis/other.example.com/v1/things': { get: { operationId: 'listThings', responses: { 200: { description: 'OK', schema: ref('com.example.other.v1.Thing') } } } },
    },
    definitions: {
      [`${PKG}.Flunder`]: object('Flunder', 'A Flunder is a test object of the wardle server.'),
      [`${PKG}.FlunderSpec`]: { type: 'object', description: 'FlunderSpec is the specification of a Flunder.', properties: { reference: { type: 'string', description: 'The name of another flunder.' } } },
      [`${PKG}.Fischer`]: object('Fischer', 'A Fischer is another test object of the wardle server.'),
      [`${PKG}.FischerSpec`]: { type: 'object', description: fischerSpecDescription,
        properties: { disallowedFlunders: { type: 'array', items: { type: 'string' }, description: 'Names of flunders this fischer refuses.' } } },
      [`${META}.ObjectMeta`]: { type: 'object', description: 'ObjectMeta as the wardle server knows it.',
        properties: { name: { type: 'string' }, namespace: { type: 'string' }, annotations: { type: 'object', additionalProperties: { type: 'string' } } } },
      'com.example.other.v1.Thing': { type: 'object', description: 'Not of this group version.' },
    },
    parameters: {
      'fieldValidation-wardle': { name: 'fieldValidation', in: 'query', type: 'string', uniqueItems: true, description: 'How the server treats unknown fields.' },
      'unused-wardle': { name: 'unused', in: 'query', type: 'string', uniqueItems: true },
    },
  };
}

/** The group version's OpenAPI v3 document: what kubectl explain and its fieldValidation check read. */
export function wardleOpenAPIV3() {
  const patch = (kind: string, fieldValidation: boolean) => ({
    'x-kubernetes-group-version-kind': gvk(kind), 'x-kubernetes-action': 'patch', responses: { 200: { description: 'OK' } },
    parameters: fieldValidation ? [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }] : [],
  });
  const schema = (kind: string, spec: Record<string, unknown>) => ({ type: 'object', 'x-kubernetes-group-version-kind': [gvk(kind)],
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', ...spec } } });
  return { openapi: '3.0.0', info: { title: 'wardle', version: 'v0' },
    paths: {
      [`/apis/${GV}/namespaces/{namespace}/flunders/{name}`]: { patch: patch('Flunder', true) },
      [`/apis/${GV}/namespaces/{namespace}/fischers/{name}`]: { patch: patch('Fischer', false) },
    },
    components: { schemas: {
      [`${PKG}.Flunder`]: schema('Flunder', { description: 'FlunderSpec is the specification of a Flunder.', properties: { reference: { type: 'string', description: 'The name of another flunder.' } } }),
      [`${PKG}.Fischer`]: schema('Fischer', { properties: { disallowedFlunders: { type: 'array', items: { type: 'string' } } } }),
    } } };
}
