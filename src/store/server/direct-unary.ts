// Serves the hot unary calls (KV and Lease) straight off node:http2 with the hand-written
// codecs, and hands every other stream to grpc-js on the same HTTP/2 session.
//
// Why: a put at 1 in flight spent a large share of its CPU in grpc-js's per-call layers
// (metadata objects, interceptor chain, stream decoder, call objects, channelz counters).
// A unary call is one framed message in, one framed message plus a status out; this does
// exactly that, with grpc-js's wire format (the same response headers, trailers and
// messages), so clients cannot tell which path answered.
//
// The hook: grpc-js builds its node:http2 server in createHttp2Server and registers its
// 'stream' listener there. We wrap that method and put a router in front of the listener;
// the router sees each stream's headers first. Streaming calls, compressed requests, odd
// content types and unknown paths still go to grpc-js, which answers them as before.
import http2 from 'node:http2';
import { Metadata, status, type Server, type ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import type { UnaryHandler } from './grpc-call.js';
import type { Wire } from './wire.js';

interface Route {
  path: string;
  handler: UnaryHandler;
  decode: (buf: Buffer) => Wire;
  encode: (value: Wire) => Buffer;
}

type StreamListener = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number) => void;

// grpc-js's response headers and trailers (server-interceptors.js), byte for byte
const OK_HEADERS = {
  ':status': 200,
  'content-type': 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
  'grpc-encoding': 'identity',
};
const OK_TRAILERS = { 'grpc-status': String(status.OK), 'grpc-message': 'OK' };
const RESPOND_OPTIONS = { waitForTrailers: true };
const END_OPTIONS = { endStream: true };

export class DirectUnary {
  private readonly routes = new Map<string, Route>();

  /** maxReceive: grpc-js's grpc.max_receive_message_length, enforced with its message */
  constructor(private readonly maxReceive: number) {}

  /** serves every unary method of a service that grpcServer.addService also gets */
  add(def: ServiceDefinition, impl: Record<string, unknown>): void {
    for (const [name, m] of Object.entries(def)) {
      if (m.requestStream || m.responseStream) continue;
      this.routes.set(m.path, {
        path: m.path,
        handler: impl[name] as UnaryHandler,
        decode: m.requestDeserialize as (buf: Buffer) => Wire,
        encode: m.responseSerialize as (value: Wire) => Buffer,
      });
    }
  }

  /** installs the router on every HTTP/2 server grpcServer creates from now on */
  install(grpcServer: Server): void {
    const server = grpcServer as unknown as { createHttp2Server(c: ServerCredentials): http2.Http2Server };
    const create = server.createHttp2Server.bind(grpcServer);
    server.createHttp2Server = (credentials) => {
      const h2 = create(credentials);
      const grpcListeners = h2.listeners('stream') as StreamListener[];
      h2.removeAllListeners('stream');
      h2.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number) => {
        const route = this.routes.get(headers[':path'] ?? '');
        if (route && this.plain(headers)) this.serve(route, stream, headers);
        else for (const l of grpcListeners) l.call(h2, stream, headers, flags);
      });
      return h2;
    };
  }

  /** a request this path can take: a gRPC POST with an uncompressed body */
  private plain(headers: http2.IncomingHttpHeaders): boolean {
    const ct = headers['content-type'];
    const enc = headers['grpc-encoding'];
    return (
      headers[':method'] === 'POST' &&
      ct !== undefined &&
      (ct === 'application/grpc' || ct.startsWith('application/grpc+') || ct.startsWith('application/grpc;')) &&
      (enc === undefined || enc === 'identity')
    );
  }

  private serve(route: Route, stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    // an error event needs a listener; the close that follows it ends the call
    stream.on('error', noop);
    let chunks: Buffer[] = [];
    let length = 0;
    let failed = false;
    let sized = false;
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      chunks.push(chunk);
      length += chunk.length;
      if (!sized && length >= 5) {
        // the declared size is refused before the body arrives, as grpc-js's decoder does
        sized = true;
        const head = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        const size = head.readUInt32BE(1);
        if (this.maxReceive >= 0 && size > this.maxReceive) {
          failed = true;
          chunks = [];
          sendStatus(stream, status.RESOURCE_EXHAUSTED, `Received message larger than max (${size} vs ${this.maxReceive})`);
        }
      }
    });
    stream.once('end', () => {
      if (failed) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      chunks = [];
      // grpc-js's answers to a unary call with no message or a second one
      if (body.length < 5 || body.length < 5 + body.readUInt32BE(1)) {
        return sendStatus(stream, status.UNIMPLEMENTED, `Received no request message for server streaming method ${route.path}`);
      }
      const size = body.readUInt32BE(1);
      if (body.length > 5 + size) {
        return sendStatus(stream, status.UNIMPLEMENTED, `Received a second request message for server streaming method ${route.path}`);
      }
      // a set compressed flag under identity encoding is read as it is, as grpc-js does
      let request: Wire;
      try {
        request = route.decode(body.subarray(5));
      } catch {
        return sendStatus(stream, status.INTERNAL, 'Error deserializing request');
      }
      const call = { request, metadata: lazyMetadata(headers) };
      route.handler(call as Parameters<UnaryHandler>[0], (err, value) => {
        if (stream.destroyed || stream.closed) return; // the client gave up (deadline, cancel)
        if (err) return sendStatus(stream, (err.code ?? status.UNKNOWN) as status, err.details ?? ('message' in err ? String(err.message) : ''));
        let message: Buffer;
        try {
          message = route.encode(value!);
        } catch {
          return sendStatus(stream, status.INTERNAL, 'Error serializing response');
        }
        const framed = Buffer.allocUnsafe(5 + message.length);
        framed[0] = 0;
        framed.writeUInt32BE(message.length, 1);
        message.copy(framed, 5);
        try {
          stream.respond(OK_HEADERS, RESPOND_OPTIONS);
          stream.once('wantTrailers', sendOkTrailers);
          stream.end(framed);
        } catch {
          stream.destroy();
        }
      });
    });
  }
}

function noop(): void {}

/** the request's metadata as handlers read it (auth looks up its token headers, usually
 * absent): grpc-js's Metadata is built only when a header asked for is present */
function lazyMetadata(headers: http2.IncomingHttpHeaders): Metadata {
  let md: Metadata | undefined;
  const get = (key: string) => (headers[key] === undefined ? [] : (md ??= Metadata.fromHttp2Headers(headers)).get(key));
  return { get } as unknown as Metadata;
}

function sendOkTrailers(this: http2.ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

/** a trailers-only response, as grpc-js sends a status before any message */
function sendStatus(stream: http2.ServerHttp2Stream, code: status, details: string): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  try {
    stream.respond(
      { 'grpc-status': String(code), 'grpc-message': encodeURI(details), ':status': 200, 'content-type': 'application/grpc+proto' },
      END_OPTIONS,
    );
  } catch {
    stream.destroy();
  }
}
