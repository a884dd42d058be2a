// Build-time generator (`npm run gen:openapi`): reads the kubernetes-types declarations
// with the TypeScript compiler API and writes
//   src/api/openapi/generated/definitions.json  every type of the stable API groups as an
//                                               OpenAPI definition named as upstream names it
//   src/api/validation/known-fields.json        the field tree strict decoding walks
// Output is sorted and stable, so running it twice gives the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Definitions } from '../schema.js';
import { declarationSchema, intOrStringSchema, type Naming } from './declaration-schema.js';
import { goPackage, INT_OR_STRING } from './go-package.js';
import { knownFieldsTree } from './known-fields-tree.js';

const require = createRequire(import.meta.url);
const typesRoot = path.dirname(require.resolve('kubernetes-types/package.json'));
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');

/** Declaration files to read: the apimachinery ones and every GA version (v1, v2). */
function declarationFiles(): string[] {
  const out = ['meta/v1', 'api/resource', 'runtime', 'version'];
  for (const dir of fs.readdirSync(typesRoot, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === 'meta' || dir.name === 'api') continue;
    for (const f of fs.readdirSync(path.join(typesRoot, dir.name))) {
      const m = /^(v\d+)\.d\.ts$/.exec(f);
      if (m) out.push(`${dir.name}/${m[1]}`);
    }
  }
  return out.sort();
}

export function generateDefinitions(): Definitions {
  const rels = declarationFiles();
  const files = rels.map((r) => path.join(typesRoot, `${r}.d.ts`));
  const program = ts.createProgram(files, { noEmit: true, skipLibCheck: true });
  const relOf = (file: string) => path.relative(typesRoot, file).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
  const naming: Naming = {
    checker: program.getTypeChecker(),
    nameOf: (decl) => `${goPackage(relOf(decl.getSourceFile().fileName))}.${(decl as ts.DeclarationStatement).name!.getText()}`,
  };
  const defs: Definitions = { [INT_OR_STRING]: intOrStringSchema };
  for (const rel of rels) {
    const sf = program.getSourceFile(path.join(typesRoot, `${rel}.d.ts`));
    if (!sf) throw new Error(`cannot read ${rel}.d.ts`);
    for (const stmt of sf.statements) {
      if (!ts.isInterfaceDeclaration(stmt) && !ts.isTypeAliasDeclaration(stmt)) continue;
      defs[`${goPackage(rel)}.${stmt.name.text}`] = declarationSchema(naming, stmt);
    }
  }
  addInlinedRuleFields(defs);
  return Object.fromEntries(Object.entries(defs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** kubernetes-types drops the fields of Go's inlined Rule (resources, scope) from the admission rule types; upstream's spec has them. */
function addInlinedRuleFields(defs: Definitions): void {
  const strings = { type: 'array', items: { type: 'string' } };
  for (const v of ['v1', 'v1beta1', 'v1alpha1']) for (const name of ['RuleWithOperations', 'NamedRuleWithOperations']) {
    const d = defs[`io.k8s.api.admissionregistration.${v}.${name}`] as { properties?: Record<string, unknown> } | undefined;
    if (!d?.properties || d.properties.resources) continue;
    d.properties.resources = { description: "Resources is a list of resources this rule applies to. '*' means all resources; 'pods/*' all subresources of pods; '*/scale' scale of all resources.", ...strings };
    d.properties.scope = { description: 'scope specifies the scope of this rule: "Cluster", "Namespaced" or "*" (default).', type: 'string' };
  }
}

function main(): void {
  const defs = generateDefinitions();
  const defsFile = path.join(repoRoot, 'src/api/openapi/generated/definitions.json');
  const fieldsFile = path.join(repoRoot, 'src/api/validation/known-fields.json');
  fs.mkdirSync(path.dirname(defsFile), { recursive: true });
  fs.writeFileSync(defsFile, JSON.stringify(defs, null, 1) + '\n');
  fs.writeFileSync(fieldsFile, JSON.stringify(knownFieldsTree(defs), null, 1) + '\n');
  process.stdout.write(`wrote ${Object.keys(defs).length} definitions to ${path.relative(repoRoot, defsFile)} and ${path.relative(repoRoot, fieldsFile)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
