// gRPC on one node:http2 connection per etcd member: a unary call is a POST with the message
// in gRPC's 5-byte length-prefixed frame, the answer one framed message and a grpc-status
// trailer; a stream (etcd's Watch) is the same POST kept open, framed messages both ways.
// That is all Range, Txn and Watch need; @grpc/grpc-js's general machinery (resolvers, load
// balancing, interceptors, retries, filters) and protobufjs's object conversion cost more CPU
// per call or event than etcd spends serving it, and the API server makes one or two calls per
// request and receives every write back on its watch caches' streams.
import http2 from 'node:http2';

/** gRPC status codes used here (the numbers are gRPC's; grpc-js exports the same). */
export const GrpcStatus = { OK: 0, CANCELLED: 1, UNKNOWN: 2, DEADLINE_EXCEEDED: 4, PERMISSION_DENIED: 7, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;
const NAMES: Record<number, string> = Object.fromEntries(Object.entries(GrpcStatus).map(([k, v]) => [v, k]));

/** A failed call, shaped as grpc-js's ServiceError (code, details) so callers treat both alike. */
export class GrpcCallError extends Error {
  constructor(readonly code: number, readonly details: string) {
    super(`${code} ${NAMES[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/** gRPC's mapping of an HTTP status without grpc-status to a code. */
function codeOfHttp(status: number): number {
  switch (status) {
    case 400: return GrpcStatus.INTERNAL;
    case 401: return GrpcStatus.UNAUTHENTICATED;
    case 403: return GrpcStatus.PERMISSION_DENIED;
    case 404: return GrpcStatus.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return GrpcStatus.UNAVAILABLE;
    default: return GrpcStatus.UNKNOWN;
  }
}

function grpcMessage(v: unknown): string {
  const s = String(v ?? '');
  try { return decodeURIComponent(s); } catch { return s; }
}

/** Large windows: a list of every pod in a big cluster is tens of megabytes in one message. */
const WINDOW = 16 << 20;

export interface GrpcTls { ca?: Buffer; cert?: Buffer; key?: Buffer }

export class GrpcChannel {
  private session?: http2.ClientHttp2Session;
  /** Why the last connection failed (a stream's own error is often just "cancelled"). */
  private lastError?: Error;

  /** target: host:port; tls undefined for plain-text HTTP/2 (h2c), as grpc's insecure credentials. */
  constructor(readonly target: string, private readonly tls?: GrpcTls) {}

  private connect(): http2.ClientHttp2Session {
    const cur = this.session;
    if (cur && !cur.closed && !cur.destroyed) return cur;
    this.lastError = undefined;
    const s = http2.connect(`${this.tls ? 'https' : 'http'}://${this.target}`, {
      ...(this.tls ?? {}),
      settings: { initialWindowSize: WINDOW, enablePush: false },
      maxSessionMemory: 256,
    });
    s.on('connect', () => { this.lastError = undefined; s.setLocalWindowSize(WINDOW); });
    s.on('error', (err) => { this.lastError = err; });
    const drop = () => { if (this.session === s) this.session = undefined; };
    s.on('close', drop);
    s.on('goaway', drop);
    this.session = s;
    return s;
  }

  /** Sends one request message to `path` (/package.Service/Method) and resolves with the reply message. */
  call(path: string, message: Buffer, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.connect().request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
      } catch (err) {
        reject(new GrpcCallError(GrpcStatus.UNAVAILABLE, (err as Error).message));
        return;
      }
      const chunks: Buffer[] = [];
      let httpStatus = 0;
      let status: number | undefined;
      let details = '';
      let streamError: Error | undefined;
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; stream.close(http2.constants.NGHTTP2_CANCEL); }, timeoutMs);
      const onHeaders = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] !== undefined) { status = Number(h['grpc-status']); details = grpcMessage(h['grpc-message']); }
      };
      stream.on('response', (h) => { httpStatus = Number(h[':status']); onHeaders(h); });
      stream.on('trailers', onHeaders);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => { streamError = err; });
      stream.on('close', () => {
        clearTimeout(timer);
        if (timedOut) { reject(new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded')); return; }
        if (status === undefined) {
          // No gRPC answer: the connection failed or the stream was reset.
          if (httpStatus && httpStatus !== 200) { reject(new GrpcCallError(codeOfHttp(httpStatus), `Received HTTP status code ${httpStatus}`)); return; }
          const why = this.lastError?.message ?? streamError?.message ?? `stream closed with code ${stream.rstCode}`;
          reject(new GrpcCallError(GrpcStatus.UNAVAILABLE, `No connection established. Last error: ${why}`));
          return;
        }
        if (status !== GrpcStatus.OK) { reject(new GrpcCallError(status, details)); return; }
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        if (body.length < 5 || body[0] !== 0) {
          reject(new GrpcCallError(GrpcStatus.INTERNAL, body.length < 5 ? 'no response message' : 'compressed response message (none was asked for)'));
          return;
        }
        const len = body.readUInt32BE(1);
        if (body.length < 5 + len) { reject(new GrpcCallError(GrpcStatus.INTERNAL, 'truncated response message')); return; }
        resolve(body.subarray(5, 5 + len));
      });
      stream.end(frame(message));
    });
  }

  /**
   * Opens a bidirectional stream to `path` (/etcdserverpb.Watch/Watch): write() sends one
   * message, onMessage gets each reply message whole, onEnd is told once how the stream ended
   * (undefined: the server ended it cleanly) unless cancel() ended it first.
   */
  openStream(path: string, headers: Record<string, string>, onMessage: (msg: Buffer) => void, onEnd: (err: GrpcCallError | undefined) => void): GrpcStream {
    let stream: http2.ClientHttp2Stream;
    let cancelled = false;
    try {
      stream = this.connect().request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    } catch (err) {
      setImmediate(() => { if (!cancelled) onEnd(new GrpcCallError(GrpcStatus.UNAVAILABLE, (err as Error).message)); });
      return { write: () => {}, cancel: () => { cancelled = true; } };
    }
    let httpStatus = 0;
    let status: number | undefined;
    let details = '';
    let streamError: Error | undefined;
    const onHeaders = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) { status = Number(h['grpc-status']); details = grpcMessage(h['grpc-message']); }
    };
    stream.on('response', (h) => { httpStatus = Number(h[':status']); onHeaders(h); });
    stream.on('trailers', onHeaders);
    const frames = new FrameReader();
    stream.on('data', (c: Buffer) => {
      if (cancelled) return;
      try {
        frames.push(c, onMessage);
      } catch (err) {
        status = GrpcStatus.INTERNAL; details = (err as Error).message;
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    stream.on('error', (err) => { streamError = err; });
    stream.on('close', () => {
      if (cancelled) return;
      cancelled = true;
      if (status === GrpcStatus.OK) onEnd(undefined);
      else if (status !== undefined) onEnd(new GrpcCallError(status, details));
      else if (httpStatus && httpStatus !== 200) onEnd(new GrpcCallError(codeOfHttp(httpStatus), `Received HTTP status code ${httpStatus}`));
      else onEnd(new GrpcCallError(GrpcStatus.UNAVAILABLE, `No connection established. Last error: ${this.lastError?.message ?? streamError?.message ?? `stream closed with code ${stream.rstCode}`}`));
    });
    return {
      write: (message) => { if (!cancelled && !stream.closed) stream.write(frame(message)); },
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        stream.close(http2.constants.NGHTTP2_CANCEL);
      },
    };
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}

/** One open stream: send a message, or end it from this side. */
export interface GrpcStream { write(message: Buffer): void; cancel(): void }

/** A message in gRPC's frame: uncompressed flag, 32-bit big-endian length, the message. */
function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/** Cuts a stream's DATA chunks into whole messages (a message may span chunks, a chunk hold several). */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer, onMessage: (msg: Buffer) => void): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size >= 5) {
      let buf = this.chunks[0];
      if (buf.length < 5) { buf = Buffer.concat(this.chunks, this.size); this.chunks = [buf]; }
      if (buf[0] !== 0) throw new Error('compressed message on a stream (none was asked for)');
      const end = 5 + buf.readUInt32BE(1);
      if (this.size < end) return;
      if (buf.length < end) { buf = Buffer.concat(this.chunks, this.size); this.chunks = [buf]; }
      const msg = buf.subarray(5, end);
      const rest = buf.subarray(end);
      this.chunks.shift();
      if (rest.length) this.chunks.unshift(rest);
      this.size -= end;
      onMessage(msg);
    }
  }
}
