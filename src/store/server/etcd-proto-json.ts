// Writes proto/etcd/rpc.json (the descriptor JSON that etcd-descriptors.ts loads at start)
// from proto/etcd/*.proto:
//   npm run build && node dist/src/store/server/etcd-proto-json.js
import fs from 'node:fs';
import path from 'node:path';
import { ETCD_DESCRIPTOR_FILE, etcdProtoDir, parseEtcdProtos } from './etcd-descriptors.js';

const dir = etcdProtoDir();
const file = path.join(dir, ETCD_DESCRIPTOR_FILE);
fs.writeFileSync(file, JSON.stringify(parseEtcdProtos(dir).toJSON()) + '\n');
process.stdout.write(`wrote ${file}\n`);
