// How the API server reaches kubelets (upstream's KubeletClientConfig): HTTPS to the node's
// preferred address and kubelet port, presenting --kubelet-client-certificate/-key (so the
// kubelet authenticates it by its --client-ca-file), verifying the kubelet's serving
// certificate with --kubelet-certificate-authority when given (unverified otherwise, as upstream).
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Node } from 'kubernetes-types/core/v1.js';
import { newBadRequest, newInternalError } from '../../api/status/index.js';
import type { DialOptions } from '../../api/httpstream/upgrade.js';
import { kubeletEndpoint } from './node-address.js';

export interface KubeletClientOptions {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  preferredAddressTypes: string[];
}

export class KubeletClient {
  private readonly cert?: Buffer;
  private readonly key?: Buffer;
  private readonly ca?: Buffer;

  constructor(readonly o: KubeletClientOptions) {
    const read = (flag: string, file?: string) => {
      if (!file) return undefined;
      try { return fs.readFileSync(file); } catch (err) { throw new Error(`${flag} ${file}: ${(err as Error).message}`); }
    };
    if (!!o.certFile !== !!o.keyFile) throw new Error('--kubelet-client-certificate and --kubelet-client-key must be given together');
    this.cert = read('--kubelet-client-certificate', o.certFile);
    this.key = read('--kubelet-client-key', o.keyFile);
    this.ca = read('--kubelet-certificate-authority', o.caFile);
  }

  /** https://ADDRESS:PORT of the node's kubelet plus `path`; a node without addresses is a 400. */
  url(node: Node, path: string): URL {
    const ep = kubeletEndpoint(node, this.o.preferredAddressTypes);
    if ('error' in ep) throw newBadRequest(`node ${node.metadata?.name}: ${ep.error}`);
    const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
    return new URL(`https://${host}:${ep.port}${path}`);
  }

  /** TLS material and target for an upgrade dial (exec, attach, port-forward). */
  dialTarget(url: URL): Omit<DialOptions, 'headers' | 'upgrade' | 'method' | 'protocols'> {
    return { url, cert: this.cert, key: this.key, ca: this.ca, rejectUnauthorized: !!this.ca };
  }

  /** A plain GET to the kubelet (pods/log, nodes/proxy); resolves with the response stream. */
  get(url: URL, o: { method?: string; headers?: Record<string, string | string[]> } = {}): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = https.request(url, {
        method: o.method ?? 'GET', headers: o.headers, cert: this.cert, key: this.key, ca: this.ca, rejectUnauthorized: !!this.ca, agent: false,
      }, resolve);
      req.on('error', (err) => reject(newInternalError(`error trying to reach the kubelet at ${url.host}: ${err.message}`)));
      req.end();
    });
  }
}
