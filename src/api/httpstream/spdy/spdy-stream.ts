// One SPDY stream as a Node Duplex: writes become DATA frames, end() a DATA frame with FIN
// (a half-close), incoming DATA is readable, the peer's FIN ends the readable side, and
// reset() sends RST_STREAM. The connection (spdy-connection.ts) owns the framing.
import { Duplex } from 'node:stream';
import type { SpdyHeaders } from './header-block.js';

/** What a stream needs from its connection. */
export interface StreamHost {
  writeData(streamId: number, data: Buffer, fin: boolean, cb: (err?: Error | null) => void): void;
  resetStream(streamId: number, status: number): void;
  streamClosed(stream: SpdyStream): void;
}

/** Largest DATA payload written at once (the protocol allows 16 MiB; peers buffer whole frames). */
const CHUNK = 32 * 1024;

export class SpdyStream extends Duplex {
  localFin = false;
  remoteFin = false;

  constructor(readonly id: number, readonly headers: SpdyHeaders, private readonly host: StreamHost) {
    super({ allowHalfOpen: true });
    // a stream's failures show as its end; they must never take the process down
    this.on('error', () => undefined);
  }

  /** The first value of a request header (names are lower-case). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  override _read(): void { /* data is pushed as frames arrive */ }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.localFin) { cb(new Error(`write on closed SPDY stream ${this.id}`)); return; }
    let off = 0;
    const next = (err?: Error | null): void => {
      if (err || off >= chunk.length) { cb(err); return; }
      const part = chunk.subarray(off, off + CHUNK);
      off += part.length;
      this.host.writeData(this.id, part, false, next);
    };
    next();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.localFin) { cb(); return; }
    this.localFin = true;
    this.host.writeData(this.id, Buffer.alloc(0), true, (err) => {
      this.maybeClosed();
      cb(err);
    });
  }

  /** Aborts the stream both ways (RST_STREAM, CANCEL unless told). */
  reset(status = 5): void {
    if (!(this.localFin && this.remoteFin)) this.host.resetStream(this.id, status);
    this.localFin = true;
    this.remoteFin = true;
    this.destroy();
    this.host.streamClosed(this);
  }

  /** Called by the connection for the peer's DATA. */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteFin) return;
    if (data.length) this.push(data);
    if (fin) this.finishRemote();
  }

  finishRemote(): void {
    if (this.remoteFin) return;
    this.remoteFin = true;
    this.push(null);
    this.maybeClosed();
  }

  /** The peer reset the stream or the connection went away. */
  abort(): void {
    this.localFin = true;
    if (!this.remoteFin) { this.remoteFin = true; this.push(null); }
  }

  private maybeClosed(): void {
    if (this.localFin && this.remoteFin) this.host.streamClosed(this);
  }
}
