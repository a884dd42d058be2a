// Rebuilds Kubernetes' generated.proto definitions (messages, field names, numbers, types;
// no comments) from the FileDescriptorProtos a Go client registers at init, which the
// kubectl binary carries gzipped. This is how proto/k8s/ was made:
//   node dist/src/api/protobuf/tools/descriptors-to-proto.js /usr/bin/kubectl proto/k8s
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import descriptor from 'protobufjs/ext/descriptor/index.js';

/** The files tskube decodes; their imports are pulled in too. */
const WANTED = [
  'k8s.io/api/core/v1/generated.proto', 'k8s.io/api/apps/v1/generated.proto', 'k8s.io/api/batch/v1/generated.proto',
  'k8s.io/api/rbac/v1/generated.proto', 'k8s.io/api/scheduling/v1/generated.proto', 'k8s.io/api/policy/v1/generated.proto',
  'k8s.io/api/authorization/v1/generated.proto', 'k8s.io/api/authentication/v1/generated.proto',
  'k8s.io/api/autoscaling/v1/generated.proto', 'k8s.io/api/coordination/v1/generated.proto',
  'k8s.io/api/discovery/v1/generated.proto', 'k8s.io/api/events/v1/generated.proto',
  'k8s.io/api/networking/v1/generated.proto', 'k8s.io/api/storage/v1/generated.proto',
  'k8s.io/api/certificates/v1/generated.proto', 'k8s.io/api/autoscaling/v2/generated.proto',
  'k8s.io/api/admissionregistration/v1/generated.proto', 'k8s.io/api/flowcontrol/v1/generated.proto',
  'k8s.io/api/node/v1/generated.proto',
];

const SCALARS: Record<number, string> = {
  1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 6: 'fixed64', 7: 'fixed32', 8: 'bool', 9: 'string',
  12: 'bytes', 13: 'uint32', 15: 'sfixed32', 16: 'sfixed64', 17: 'sint32', 18: 'sint64',
};

/** Every gzipped FileDescriptorProto found in a binary, by file name. */
export function findDescriptors(binary: Buffer): Map<string, any> {
  const out = new Map<string, any>();
  for (let i = binary.indexOf(0x1f); i >= 0 && i < binary.length - 3; i = binary.indexOf(0x1f, i + 1)) {
    if (binary[i + 1] !== 0x8b || binary[i + 2] !== 0x08) continue;
    let raw: Buffer;
    // Go writes a bare 10-byte header (no name, no extra); members sit back to back, and
    // gunzip would run on into the next one, so only this member's deflate stream is read.
    if (binary[i + 3] !== 0) continue;
    try {
      raw = zlib.inflateRawSync(binary.subarray(i + 10, i + (1 << 20)), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch { continue; }
    if (raw[0] !== 0x0a) continue;
    try {
      const file = descriptor.FileDescriptorProto.decode(raw) as any;
      if (typeof file.name === 'string' && file.name.startsWith('k8s.io/') && file.name.endsWith('.proto') && !out.has(file.name)) out.set(file.name, file);
    } catch { /* not a descriptor */ }
  }
  return out;
}

function typeRef(name: string, pkg: string): string {
  const full = name.replace(/^\./, '');
  return full.startsWith(pkg + '.') && !full.slice(pkg.length + 1).includes('.') ? full.slice(pkg.length + 1) : full;
}

function fieldType(f: any, pkg: string): string {
  return f.type === 11 || f.type === 14 ? typeRef(f.typeName, pkg) : SCALARS[f.type];
}

function renderMessage(msg: any, pkg: string, indent: string): string[] {
  const lines = [`${indent}message ${msg.name} {`];
  const entries = new Map<string, any>();
  for (const nested of msg.nestedType ?? []) if (nested.options?.mapEntry) entries.set(nested.name, nested);
  for (const f of msg.field ?? []) {
    const entry = f.type === 11 ? entries.get(String(f.typeName).split('.').pop() ?? '') : undefined;
    if (entry && f.label === 3) {
      const [k, v] = entry.field;
      lines.push(`${indent}  map<${fieldType(k, pkg)}, ${fieldType(v, pkg)}> ${f.name} = ${f.number};`);
    } else {
      lines.push(`${indent}  ${f.label === 3 ? 'repeated' : f.label === 2 ? 'required' : 'optional'} ${fieldType(f, pkg)} ${f.name} = ${f.number};`);
    }
  }
  for (const nested of msg.nestedType ?? []) if (!nested.options?.mapEntry) lines.push(...renderMessage(nested, pkg, indent + '  '));
  lines.push(`${indent}}`, '');
  return lines;
}

/** gogo.proto only carries Go code-generation options; its import is dropped. */
const k8sImports = (file: any): string[] => (file.dependency ?? []).filter((d: string) => d.startsWith('k8s.io/'));

export function renderFile(file: any): string {
  const pkg: string = file.package;
  const lines = [
    `// ${file.name}: Kubernetes' message and field names, numbers and types for package ${pkg},`,
    '// as registered by kubectl v1.32 (see src/api/protobuf/tools/descriptors-to-proto.ts).',
    '', `syntax = "${file.syntax || 'proto2'}";`, '', `package ${pkg};`, '',
  ];
  for (const dep of k8sImports(file)) lines.push(`import "${dep}";`);
  lines.push('');
  for (const msg of file.messageType ?? []) lines.push(...renderMessage(msg, pkg, ''));
  return lines.join('\n');
}

function main(): void {
  const [binary, outDir] = process.argv.slice(2);
  if (!binary || !outDir) throw new Error('usage: descriptors-to-proto KUBECTL_BINARY OUT_DIR');
  const files = findDescriptors(fs.readFileSync(binary));
  const todo = [...WANTED];
  const done = new Set<string>();
  while (todo.length) {
    const name = todo.pop()!;
    if (done.has(name)) continue;
    const file = files.get(name);
    if (!file) throw new Error(`${name} not found in ${binary}`);
    done.add(name);
    todo.push(...k8sImports(file));
    const target = path.join(outDir, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, renderFile(file));
  }
  console.log(`wrote ${done.size} files under ${outDir}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
