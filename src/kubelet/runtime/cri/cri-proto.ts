// Loads proto/cri/api.proto (CRI v1, package runtime.v1) once, wherever the code runs from
// (src via tsx or dist after the build): the proto folder sits at the package root.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

function findProtoFile(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'proto', 'cri', 'api.proto');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('proto/cri/api.proto not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export interface CriServiceConstructors {
  RuntimeService: grpc.ServiceClientConstructor;
  ImageService: grpc.ServiceClientConstructor;
}

let cached: CriServiceConstructors | undefined;

/**
 * Field names are camelCase (podSandboxId), int64s are decimal strings (nanosecond times do
 * not fit a double exactly), enums are their names, and absent fields get their defaults.
 */
export function criServices(): CriServiceConstructors {
  if (!cached) {
    const def = protoLoader.loadSync(findProtoFile(), {
      keepCase: false, longs: String, enums: String, defaults: true, oneofs: true,
    });
    const pkg = grpc.loadPackageDefinition(def) as any;
    cached = { RuntimeService: pkg.runtime.v1.RuntimeService, ImageService: pkg.runtime.v1.ImageService };
  }
  return cached;
}
