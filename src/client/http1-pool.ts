// A lean HTTP/1.1 keep-alive client for the REST client's unary requests (watches stay on
// node:http, which streams). Node's http client costs about twice the CPU per request of
// writing the request in one piece and reading the answer straight off the socket (agent
// bookkeeping, OutgoingMessage/IncomingMessage streams, header validation, a URL per
// request): 125–200 µs against 65–85 µs per request over TLS measured here. Every
// component's per-pod writes (bindings, events, pod creates, status updates) pay it.
//
// Sockets are reused last-in first-out and unref'd while idle (as node's keep-alive agent
// does, so an idle client never holds a process open). A request on a reused socket that
// fails before any byte of the answer arrived is marked `reusedSocket` so the caller may
// retry it: the server may have closed the idle connection just as it was picked.
import net from 'node:net';
import tls from 'node:tls';

export interface Http1Response {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export interface Http1Request {
  method: string;
  /** Path and query, already encoded. */
  path: string;
  /** Extra header lines, each "Name: value\r\n". */
  headerLines: string;
  body?: Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Http1PoolOptions {
  host: string;
  port: number;
  /** TLS when given; plain TCP otherwise. */
  tls?: { secureContext: tls.SecureContext; rejectUnauthorized: boolean; servername?: string };
  maxSockets?: number;
}

/** What the parser of one response needs to know, and has read so far. */
interface Pending {
  method: string;
  resolve: (r: Http1Response) => void;
  reject: (e: Error) => void;
  reused: boolean;
  gotBytes: boolean;
  head?: { status: number; headers: Record<string, string>; mode: 'length' | 'chunked' | 'close' | 'none'; length: number };
  buf: Buffer;
  chunks: Buffer[];
  bodyLen: number;
  timer?: NodeJS.Timeout;
  onAbort?: () => void;
}

interface Conn { socket: net.Socket; pending?: Pending; used: number }

const EMPTY = Buffer.alloc(0);
const CRLFCRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

export class Http1Pool {
  private readonly idle: Conn[] = [];
  private readonly waiters: ((c: Conn | Error) => void)[] = [];
  /** Sockets still connecting (close() must not leave them behind). */
  private readonly connecting = new Set<net.Socket>();
  private open = 0;
  private closed = false;
  private readonly hostHeader: string;

  constructor(private readonly o: Http1PoolOptions) {
    const defaultPort = o.tls ? 443 : 80;
    const host = net.isIPv6(o.host) ? `[${o.host}]` : o.host;
    this.hostHeader = o.port === defaultPort ? host : `${host}:${o.port}`;
  }

  async request(r: Http1Request): Promise<Http1Response> {
    if (r.signal?.aborted) throw abortError();
    const started = Date.now();
    const conn = await this.acquire(r);
    // The timeout covers getting a connection too: what is left of it bounds the answer.
    const timeoutMs = r.timeoutMs && r.timeoutMs > 0 ? Math.max(1, r.timeoutMs - (Date.now() - started)) : 0;
    const head = `${r.method} ${r.path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n${r.headerLines}${r.body ? `Content-Length: ${r.body.length}\r\n` : ''}\r\n`;
    return new Promise<Http1Response>((resolve, reject) => {
      const p: Pending = { method: r.method, resolve, reject, reused: conn.used > 0, gotBytes: false, buf: EMPTY, chunks: [], bodyLen: 0 };
      conn.pending = p;
      conn.used++;
      if (timeoutMs) p.timer = setTimeout(() => this.fail(conn, timedOut(r)), timeoutMs);
      if (r.signal) {
        p.onAbort = () => this.fail(conn, abortError());
        r.signal.addEventListener('abort', p.onAbort, { once: true });
        const signal = r.signal;
        const settle = () => signal.removeEventListener('abort', p.onAbort!);
        p.resolve = (x) => { settle(); resolve(x); };
        p.reject = (e) => { settle(); reject(e); };
      }
      // One write: head and body in one TLS record where they fit (two writes cost a second
      // record and, with small bodies, a round of Nagle/delayed-ACK waiting).
      conn.socket.write(r.body ? Buffer.concat([Buffer.from(head, 'latin1'), r.body]) : head);
    });
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.socket.destroy();
    for (const s of this.connecting) s.destroy();
    for (const w of this.waiters.splice(0)) w(new Error('client closed'));
  }

  private async acquire(r: Http1Request): Promise<Conn> {
    if (this.closed) throw new Error('client closed');
    while (this.idle.length) {
      const c = this.idle.pop()!;
      if (c.socket.destroyed || !c.socket.writable) continue;
      c.socket.ref();
      return c;
    }
    if (this.open < (this.o.maxSockets ?? 256)) return this.connect(r);
    const got = await this.queue(r);
    if (got instanceof Error) throw got;
    return got;
  }

  /** Waits for a free connection, until r's timeout or abort. */
  private queue(r: Http1Request): Promise<Conn | Error> {
    return new Promise<Conn | Error>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => { clearTimeout(timer); r.signal?.removeEventListener('abort', onAbort); };
      let done = false;
      const waiter = (c: Conn | Error) => {
        // a connection opened for this waiter after it gave up goes to the next one
        if (done) { if (!(c instanceof Error)) this.release(c, true); return; }
        done = true;
        finish();
        resolve(c);
      };
      const stop = (err: Error) => {
        done = true;
        finish();
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(err);
      };
      const onAbort = () => stop(abortError());
      if (r.timeoutMs && r.timeoutMs > 0) timer = setTimeout(() => stop(timedOut(r)), r.timeoutMs);
      r.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** A new connection; a request's timeout and abort bound the TCP connect and TLS handshake too. */
  private connect(r?: Http1Request): Promise<Conn> {
    this.open++;
    return new Promise<Conn>((resolve, reject) => {
      const t = this.o.tls;
      const socket = t
        ? tls.connect({ host: this.o.host, port: this.o.port, secureContext: t.secureContext, rejectUnauthorized: t.rejectUnauthorized, servername: t.servername, ALPNProtocols: ['http/1.1'] })
        : net.connect({ host: this.o.host, port: this.o.port });
      socket.setNoDelay(true);
      this.connecting.add(socket);
      const conn: Conn = { socket, used: 0 };
      let connected = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = () => {
        this.connecting.delete(socket);
        clearTimeout(timer);
        r?.signal?.removeEventListener('abort', onAbort);
        socket.off('error', onConnectError);
      };
      const giveUp = (err: Error) => {
        if (connected) return;
        connected = true;
        settle();
        socket.destroy();
        reject(err);
      };
      const onConnectError = (err: Error) => giveUp(err);
      const onAbort = () => giveUp(abortError());
      if (r?.timeoutMs && r.timeoutMs > 0) timer = setTimeout(() => giveUp(timedOut(r)), r.timeoutMs);
      r?.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onConnectError);
      // destroyed by close() before it connected: no 'error' comes, only 'close'
      socket.once('close', () => giveUp(new Error('client closed')));
      socket.once(t ? 'secureConnect' : 'connect', () => {
        if (connected) return;
        connected = true;
        settle();
        resolve(conn);
      });
      socket.on('data', (d: Buffer) => this.onData(conn, d));
      socket.on('error', (err) => this.fail(conn, err));
      socket.on('close', () => {
        this.open--;
        const i = this.idle.indexOf(conn);
        if (i >= 0) this.idle.splice(i, 1);
        if (conn.pending) this.onClose(conn);
        this.wakeWaiter();
      });
    });
  }

  /** Hands a free socket to the next waiter, or opens one for it. */
  private wakeWaiter(): void {
    if (!this.waiters.length || this.closed) return;
    const c = this.idle.pop();
    if (c) { c.socket.ref(); this.waiters.shift()!(c); return; }
    if (this.open < (this.o.maxSockets ?? 256)) {
      const w = this.waiters.shift()!;
      this.connect().then(w, w);
    }
  }

  private release(conn: Conn, keep: boolean): void {
    conn.pending = undefined;
    if (!keep || this.closed) { conn.socket.destroy(); return; }
    const w = this.waiters.shift();
    if (w) { w(conn); return; }
    conn.socket.unref();
    this.idle.push(conn);
  }

  private finish(conn: Conn, p: Pending, body: Buffer, keep: boolean): void {
    clearTimeout(p.timer);
    const h = p.head!;
    this.release(conn, keep && h.headers.connection?.toLowerCase() !== 'close');
    p.resolve({ status: h.status, headers: h.headers, body });
  }

  private fail(conn: Conn, err: Error): void {
    const p = conn.pending;
    if (!p) return;
    conn.pending = undefined;
    clearTimeout(p.timer);
    (err as Error & { reusedSocket?: boolean }).reusedSocket = p.reused && !p.gotBytes;
    conn.socket.destroy();
    p.reject(err);
  }

  private onClose(conn: Conn): void {
    const p = conn.pending!;
    if (p.head?.mode === 'close') { conn.pending = undefined; clearTimeout(p.timer); p.resolve({ status: p.head.status, headers: p.head.headers, body: Buffer.concat(p.chunks) }); return; }
    this.fail(conn, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  }

  private onData(conn: Conn, d: Buffer): void {
    const p = conn.pending;
    if (!p) { conn.socket.destroy(); return; } // bytes nobody asked for: the connection is not in a state we know
    p.gotBytes = true;
    try {
      this.parse(conn, p, d);
    } catch (err) {
      this.fail(conn, err as Error);
    }
  }

  private parse(conn: Conn, p: Pending, d: Buffer): void {
    let buf = p.buf.length ? Buffer.concat([p.buf, d]) : d;
    if (!p.head) {
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (buf.length > 64 * 1024) throw new Error('response headers too large');
        p.buf = buf;
        return;
      }
      const lines = buf.toString('latin1', 0, end).split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
      if (!m) throw new Error(`malformed response status line: ${lines[0].slice(0, 100)}`);
      const status = Number(m[1]);
      buf = buf.subarray(end + 4);
      if (status >= 100 && status < 200) { p.buf = EMPTY; if (buf.length) this.parse(conn, p, buf); return; }
      const headers: Record<string, string> = {};
      for (let i = 1; i < lines.length; i++) {
        const c = lines[i].indexOf(':');
        if (c <= 0) continue;
        const k = lines[i].slice(0, c).trim().toLowerCase();
        const v = lines[i].slice(c + 1).trim();
        headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
      }
      const te = headers['transfer-encoding']?.toLowerCase();
      const noBody = p.method === 'HEAD' || status === 204 || status === 304;
      const mode = noBody ? 'none' : te && te.includes('chunked') ? 'chunked' : headers['content-length'] !== undefined ? 'length' : 'close';
      const length = mode === 'length' ? Number(headers['content-length']) : 0;
      if (mode === 'length' && !(length >= 0)) throw new Error(`malformed content-length: ${headers['content-length']}`);
      p.head = { status, headers, mode, length };
      if (mode === 'none') { this.finish(conn, p, EMPTY, buf.length === 0); return; }
    }
    const h = p.head;
    if (h.mode === 'length') {
      if (!p.chunks.length && buf.length === h.length) { this.finish(conn, p, buf, true); return; }
      p.chunks.push(buf);
      p.bodyLen += buf.length;
      p.buf = EMPTY;
      if (p.bodyLen >= h.length) {
        const all = Buffer.concat(p.chunks);
        this.finish(conn, p, all.subarray(0, h.length), all.length === h.length);
      }
      return;
    }
    if (h.mode === 'close') { p.chunks.push(buf); p.buf = EMPTY; return; }
    // chunked: size line, data, CRLF; a zero size then (trailers and) an empty line ends it.
    for (;;) {
      const nl = buf.indexOf(CRLF);
      if (nl < 0) { p.buf = buf; return; }
      const size = parseInt(buf.toString('latin1', 0, nl).split(';')[0], 16);
      if (!(size >= 0)) throw new Error('malformed chunk size');
      if (size === 0) {
        // The size line's CRLF starts the final empty line when there are no trailers.
        const e = buf.indexOf(CRLFCRLF, nl);
        if (e < 0) { p.buf = buf; return; } // trailers not complete yet
        this.finish(conn, p, Buffer.concat(p.chunks), e + 4 === buf.length);
        return;
      }
      if (buf.length < nl + 2 + size + 2) { p.buf = buf; return; }
      p.chunks.push(buf.subarray(nl + 2, nl + 2 + size));
      buf = buf.subarray(nl + 2 + size + 2);
    }
  }
}

function timedOut(r: Http1Request): Error {
  return new Error(`${r.method} ${r.path}: timed out after ${r.timeoutMs} ms`);
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}
