// One client URL's listener, serving gRPC (HTTP/2) and plain HTTP/1.1 on the same port the
// way etcd's cmux does. Plain sockets are routed by their first bytes; TLS is terminated
// here (ALPN h2 / http/1.1) and the decrypted socket goes to the same two servers.
import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { ConnectionInjector } from '@grpc/grpc-js';
import { rewriteAuthority } from './authority-rewriter.js';
import { plainAuthority, readFirstRequest } from './h2-first-request.js';
import type { Logger } from './log.js';
import { sniffProtocol } from './protocol-sniffer.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  trustedCaFile?: string;
  clientCertAuth: boolean;
}

export interface ClientListener {
  address: net.AddressInfo;
  close(): Promise<void>;
}

export async function listenClientUrl(
  url: URL,
  deps: {
    grpc: ConnectionInjector;
    http: HttpServer;
    tls?: TlsFiles;
    log: Logger;
    onGrpcSocket?: (s: net.Socket) => void;
  },
): Promise<ClientListener> {
  const sockets = new Set<net.Socket>();
  // connections whose first request names a plain host:port go to node's HTTP/2 server
  // natively; the others through the :authority rewriter (h2-first-request.ts)
  const toGrpc = async (s: net.Socket) => {
    deps.onGrpcSocket?.(s);
    const first = await readFirstRequest(s);
    if (s.destroyed) return;
    if (first.bytes.length > 0) s.unshift(first.bytes);
    if (first.ackSeen && plainAuthority(first.authority)) deps.grpc.injectConnection(s);
    else deps.grpc.injectConnection(rewriteAuthority(s, { dropSettingsAck: !first.ackSeen }));
  };
  const toHttp = (s: net.Socket) => deps.http.emit('connection', s);
  const route = async (s: net.Socket, alpn?: string | false | null) => {
    if (alpn === 'h2') return toGrpc(s);
    if (alpn === 'http/1.1') return toHttp(s);
    const proto = await sniffProtocol(s);
    if (proto === 'h2') await toGrpc(s);
    else if (proto === 'http1') toHttp(s);
    else s.destroy();
  };
  const track = (s: net.Socket) => {
    // Small request/response frames must not wait for Nagle's algorithm.
    s.setNoDelay(true);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  let server: net.Server;
  if (url.protocol === 'https:') {
    if (!deps.tls) throw new Error(`--cert-file and --key-file are required to serve ${url.href}`);
    const t = deps.tls;
    server = tls.createServer({
      cert: readFileSync(t.certFile),
      key: readFileSync(t.keyFile),
      ca: t.trustedCaFile ? readFileSync(t.trustedCaFile) : undefined,
      requestCert: t.clientCertAuth,
      rejectUnauthorized: t.clientCertAuth,
      // gRPC clients offer only h2; browsers and curl also offer http/1.1, which is where
      // the HTTP endpoints are served, so it wins whenever it is offered
      ALPNCallback: ({ protocols }) => (protocols.includes('http/1.1') ? 'http/1.1' : protocols.includes('h2') ? 'h2' : undefined),
    });
    server.on('secureConnection', (s: tls.TLSSocket) => {
      track(s);
      void route(s, s.alpnProtocol);
    });
    server.on('tlsClientError', (err) => deps.log.debug(`rejected TLS client on ${url.host}: ${err.message}`));
  } else {
    server = net.createServer((s) => {
      track(s);
      void route(s);
    });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: Number(url.port) }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
