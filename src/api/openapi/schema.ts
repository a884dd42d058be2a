// The subset of an OpenAPI (Swagger 2.0 / OpenAPI 3.0) schema object that the generated
// definitions use. References are kept in Swagger 2.0 form (`#/definitions/NAME`) and
// rewritten for OpenAPI v3 when a v3 document is assembled.

export interface GroupVersionKind { group: string; kind: string; version: string }

export interface Schema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-unions'?: unknown[];
}

export type Definitions = Record<string, Schema>;

export const DEFINITIONS_REF = '#/definitions/';
export const COMPONENTS_REF = '#/components/schemas/';

/** The definition name a `$ref` points at (either form). */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}
