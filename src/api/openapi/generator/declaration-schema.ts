// Turns one exported declaration of kubernetes-types (an interface or a type alias) into an
// OpenAPI definition: properties with types, formats and `$ref`s, `required` from the
// non-optional members, descriptions from the JSDoc comments, and the group-version-kind
// of top-level kinds (whose `apiVersion` and `kind` members are string literals).
import ts from 'typescript';
import { DEFINITIONS_REF, type GroupVersionKind, type Schema } from '../schema.js';
import { INT_OR_STRING } from './go-package.js';
import { numberSchema } from './number-formats.js';

export interface Naming {
  checker: ts.TypeChecker;
  /** The definition name of the declaration a type reference resolves to. */
  nameOf(decl: ts.Declaration): string;
}

export function jsDocText(node: ts.Node): string | undefined {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const last = docs[docs.length - 1];
  const text = last ? ts.getTextOfJSDocComment(last.comment) : undefined;
  return text?.trim() || undefined;
}

function refTo(naming: Naming, node: ts.TypeReferenceNode): string {
  let sym = naming.checker.getSymbolAtLocation(node.typeName);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = naming.checker.getAliasedSymbol(sym);
  const decl = sym?.declarations?.[0];
  if (!decl) throw new Error(`cannot resolve type ${node.typeName.getText()}`);
  return naming.nameOf(decl);
}

/** Schema of a member's type; `owner`/`field` pick the integer format. */
function typeSchema(naming: Naming, node: ts.TypeNode, owner: string, field: string): Schema {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword: return { type: 'string' };
    case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
    case ts.SyntaxKind.NumberKeyword: return numberSchema(owner, field);
    case ts.SyntaxKind.LiteralType: return { type: 'string' };
    case ts.SyntaxKind.ParenthesizedType: return typeSchema(naming, (node as ts.ParenthesizedTypeNode).type, owner, field);
    case ts.SyntaxKind.ArrayType: return { type: 'array', items: typeSchema(naming, (node as ts.ArrayTypeNode).elementType, owner, field) };
    case ts.SyntaxKind.UnionType: {
      const kinds = (node as ts.UnionTypeNode).types.map((t) => t.kind).sort();
      if (kinds.length === 2 && kinds[0] === ts.SyntaxKind.NumberKeyword && kinds[1] === ts.SyntaxKind.StringKeyword) return { $ref: DEFINITIONS_REF + INT_OR_STRING };
      break;
    }
    case ts.SyntaxKind.TypeLiteral: {
      // `{ [name: string]: T }`: a map with string keys.
      const index = (node as ts.TypeLiteralNode).members.find(ts.isIndexSignatureDeclaration);
      if (index && (node as ts.TypeLiteralNode).members.length === 1) return { type: 'object', additionalProperties: typeSchema(naming, index.type, owner, field) };
      break;
    }
    case ts.SyntaxKind.TypeReference: {
      const ref = node as ts.TypeReferenceNode;
      const name = ref.typeName.getText();
      if ((name === 'Array' || name === 'ReadonlyArray') && ref.typeArguments?.length === 1) {
        return { type: 'array', items: typeSchema(naming, ref.typeArguments[0], owner, field) };
      }
      return { $ref: DEFINITIONS_REF + refTo(naming, ref) };
    }
    default: break;
  }
  throw new Error(`${owner}.${field}: unsupported type ${ts.SyntaxKind[node.kind]} (${node.getText()})`);
}

function memberName(name: ts.PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  throw new Error(`unsupported property name ${name.getText()}`);
}

function literal(member: ts.PropertySignature | undefined): string | undefined {
  const t = member?.type;
  return t && ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined;
}

function groupVersionKind(members: ts.PropertySignature[]): GroupVersionKind | undefined {
  const apiVersion = literal(members.find((m) => memberName(m.name) === 'apiVersion'));
  const kind = literal(members.find((m) => memberName(m.name) === 'kind'));
  if (!apiVersion || !kind) return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', kind, version: apiVersion } : { group: apiVersion.slice(0, slash), kind, version: apiVersion.slice(slash + 1) };
}

function interfaceSchema(naming: Naming, decl: ts.InterfaceDeclaration): Schema {
  const owner = decl.name.text;
  const members = decl.members.filter(ts.isPropertySignature);
  const out: Schema = {};
  const description = jsDocText(decl);
  if (description) out.description = description;
  if (members.length === 0) {
    // Free-form holders (RawExtension, FieldsV1) are objects of any shape; apiextensions'
    // JSON is any value at all.
    if (owner !== 'JSON') out.type = 'object';
    return out;
  }
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const m of [...members].sort((a, b) => memberName(a.name).localeCompare(memberName(b.name)))) {
    const field = memberName(m.name);
    if (!m.type) throw new Error(`${owner}.${field} has no type`);
    const s: Schema = {};
    const doc = jsDocText(m);
    if (doc) s.description = doc;
    Object.assign(s, typeSchema(naming, m.type, owner, field));
    properties[field] = s;
    if (!m.questionToken) required.push(field);
  }
  if (required.length) out.required = required;
  out.properties = properties;
  out.type = 'object';
  const gvk = groupVersionKind(members);
  if (gvk) out['x-kubernetes-group-version-kind'] = [gvk];
  return out;
}

function aliasSchema(decl: ts.TypeAliasDeclaration): Schema {
  const out: Schema = {};
  const description = jsDocText(decl);
  if (description) out.description = description;
  const name = decl.name.text;
  if (name === 'Time' || name === 'MicroTime') return { ...out, type: 'string', format: 'date-time' };
  if (decl.type.kind === ts.SyntaxKind.StringKeyword) return { ...out, type: 'string' };
  // Unions such as JSONSchemaPropsOrArray carry no single type, as upstream.
  return out;
}

export function declarationSchema(naming: Naming, decl: ts.InterfaceDeclaration | ts.TypeAliasDeclaration): Schema {
  return ts.isInterfaceDeclaration(decl) ? interfaceSchema(naming, decl) : aliasSchema(decl);
}

/** Upstream's schema for IntOrString, which kubernetes-types inlines as `number | string`. */
export const intOrStringSchema: Schema = {
  description: 'IntOrString holds either an int32 or a string. In JSON and YAML it is written as the inner value, so one field can take a number or a name.',
  type: 'string',
  format: 'int-or-string',
  'x-kubernetes-int-or-string': true,
};
