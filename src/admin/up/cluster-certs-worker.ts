// The worker thread of writeClusterCertsOffThread (cluster-certs.ts): one run, one answer.
import { parentPort, workerData } from 'node:worker_threads';
import { writeClusterCerts, type ClusterCertsInput } from './cluster-certs.js';

writeClusterCerts(workerData as ClusterCertsInput).then(
  (result) => parentPort!.postMessage({ result }),
  (err: Error) => parentPort!.postMessage({ error: err.message }),
);
