// kube-openapi's merge rules for aggregated Swagger documents (src/api/openapi/swagger-merge.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filterPaths, mergeSwagger, type Swagger } from '../../src/api/openapi/swagger-merge.js';

const ref = (n: string) => ({ $ref: `#/definitions/${n}` });

describe('swagger merge', () => {
  it('filterPaths keeps the admitted paths and what they reach, transitively, and leaves its input alone', () => {
    const spec: Swagger = {
      paths: { '/apis/g/v1/a': { get: { parameters: [{ $ref: '#/parameters/p' }], responses: { 200: { schema: ref('A') } } } }, '/other': { get: { responses: { 200: { schema: ref('C') } } } } },
      definitions: { A: { properties: { b: ref('B') } }, B: { type: 'string' }, C: { type: 'object' } },
      parameters: { p: { name: 'p', in: 'query', type: 'string' }, q: { name: 'q', in: 'query', type: 'string' } },
    };
    const copy = structuredClone(spec);
    const out = filterPaths(spec, (p) => p.startsWith('/apis/g/v1/'));
    assert.deepEqual(Object.keys(out.paths!), ['/apis/g/v1/a']);
    assert.deepEqual(Object.keys(out.definitions!), ['A', 'B']);
    assert.deepEqual(Object.keys(out.parameters!), ['p']);
    assert.deepEqual(spec, copy);
  });

  it('mergeSwagger shares equal definitions, renames different ones NAME_vN with their references, and never replaces a served path', () => {
    const dest: Swagger = { paths: { '/x': { get: { description: 'mine' } } }, definitions: { Same: { type: 'string' }, Meta: { description: 'mine' }, Meta_v2: { description: 'taken' } } };
    const source: Swagger = {
      paths: { '/x': { get: { description: 'theirs' } }, '/y': { get: { responses: { 200: { schema: ref('Obj') } } } } },
      definitions: { Obj: { properties: { m: ref('Meta'), s: ref('Same') } }, Meta: { description: 'theirs' }, Same: { type: 'string' } },
    };
    mergeSwagger(dest, source);
    assert.deepEqual(dest.paths, { '/x': { get: { description: 'mine' } }, '/y': { get: { responses: { 200: { schema: ref('Obj') } } } } });
    assert.deepEqual(dest.definitions, {
      Same: { type: 'string' }, Meta: { description: 'mine' }, Meta_v2: { description: 'taken' }, Meta_v3: { description: 'theirs' },
      Obj: { properties: { m: ref('Meta_v3'), s: ref('Same') } },
    });
    assert.equal((source.definitions!.Obj as any).properties.m.$ref, '#/definitions/Meta');
  });
});
