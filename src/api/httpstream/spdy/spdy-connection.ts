// A SPDY/3.1 session over an upgraded connection, the way Kubernetes streams exec, attach
// and port-forward (the moby/spdystream dialect): either side opens streams with
// SYN_STREAM and answers the other's with SYN_REPLY, pings are echoed, GOAWAY ends it.
// Like spdystream, it does not enforce SPDY flow control (WINDOW_UPDATE is ignored).
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, encodeSynStream, FLAG_FIN, FLAG_UNIDIRECTIONAL,
  type Frame, FrameReader, RstStatus,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './header-block.js';
import { SpdyStream, type StreamHost } from './spdy-stream.js';

export interface SpdyConnectionOptions {
  /** Servers open even-numbered streams and answer odd ones; clients the other way round. */
  server: boolean;
  /** How long createStream waits for SYN_REPLY (upstream: 30 s). */
  replyTimeoutMs?: number;
}

interface SpdyConnectionEvents {
  stream: [stream: SpdyStream];
  close: [];
  error: [err: Error];
}

/** Emits 'stream' for each stream the peer opens, 'close' when the connection ends. */
export class SpdyConnection extends EventEmitter<SpdyConnectionEvents> implements StreamHost {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly pendingReplies = new Map<number, { resolve: (s: SpdyStream) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly pings = new Map<number, (ms: number) => void>();
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private nextStreamId: number;
  private nextPingId: number;
  private lastRemoteStreamId = 0;
  private goneAway = false;
  closed = false;

  constructor(readonly socket: Duplex, private readonly o: SpdyConnectionOptions) {
    super();
    this.nextStreamId = o.server ? 2 : 1;
    this.nextPingId = o.server ? 2 : 1;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.teardown());
    socket.on('close', () => this.teardown());
    socket.on('error', () => this.teardown());
  }

  /** Bytes that arrived with the upgrade response/request, before the socket was handed over. */
  feed(head: Buffer): void {
    if (head.length) this.onData(head);
  }

  /** Opens a stream and resolves once the peer replied. */
  createStream(headers: SpdyHeaders): Promise<SpdyStream> {
    if (this.closed || this.goneAway) return Promise.reject(new Error('SPDY connection is closed'));
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(id, headers, this);
    this.streams.set(id, stream);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingReplies.delete(id);
        stream.reset(RstStatus.CANCEL);
        reject(new Error(`timed out waiting for the reply to SPDY stream ${id}`));
      }, this.o.replyTimeoutMs ?? 30_000);
      this.pendingReplies.set(id, { resolve, reject, timer });
      this.write(encodeSynStream(id, this.compressor.compress(headers)));
    });
  }

  ping(): Promise<number> {
    const id = this.nextPingId;
    this.nextPingId = (this.nextPingId + 2) % 0x7fffffff;
    const t0 = Date.now();
    return new Promise((resolve) => {
      this.pings.set(id, () => resolve(Date.now() - t0));
      this.write(encodePing(id));
    });
  }

  /** Sends GOAWAY and ends the connection once written. */
  close(): void {
    if (this.closed) return;
    if (!this.goneAway) {
      this.goneAway = true;
      this.write(encodeGoAway(this.lastRemoteStreamId));
    }
    this.socket.end();
    this.teardown();
  }

  destroy(): void {
    this.socket.destroy();
    this.teardown();
  }

  // ---- StreamHost ----

  writeData(streamId: number, data: Buffer, fin: boolean, cb: (err?: Error | null) => void): void {
    // like a write to a closed socket: the data is dropped
    if (this.closed || !this.socket.writable) { cb(); return; }
    this.socket.write(encodeData(streamId, data, fin), (err) => cb(err ?? null));
  }

  resetStream(streamId: number, status: number): void {
    this.write(encodeRstStream(streamId, status));
  }

  streamClosed(stream: SpdyStream): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
  }

  // ---- frames ----

  private write(buf: Buffer): void {
    if (!this.closed && this.socket.writable) this.socket.write(buf);
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.emit('error', err as Error);
      this.destroy();
      return;
    }
    for (const f of frames) {
      try {
        this.onFrame(f);
      } catch (err) {
        this.emit('error', err as Error);
        this.destroy();
        return;
      }
    }
  }

  private onFrame(f: Frame): void {
    switch (f.kind) {
      case 'syn_stream': {
        const headers = this.decompressor.decompress(f.block);
        if (this.goneAway || f.streamId <= this.lastRemoteStreamId || (f.streamId % 2 === 0) === this.o.server) {
          this.resetStream(f.streamId, this.goneAway ? RstStatus.REFUSED_STREAM : RstStatus.PROTOCOL_ERROR);
          return;
        }
        this.lastRemoteStreamId = f.streamId;
        const stream = new SpdyStream(f.streamId, headers, this);
        this.streams.set(f.streamId, stream);
        this.write(encodeSynReply(f.streamId, this.compressor.compress({})));
        if (f.flags & FLAG_UNIDIRECTIONAL) stream.localFin = true;
        this.emit('stream', stream);
        if (f.flags & FLAG_FIN) stream.finishRemote();
        return;
      }
      case 'syn_reply': {
        this.decompressor.decompress(f.block);
        const pending = this.pendingReplies.get(f.streamId);
        const stream = this.streams.get(f.streamId);
        if (!pending || !stream) return;
        this.pendingReplies.delete(f.streamId);
        clearTimeout(pending.timer);
        pending.resolve(stream);
        if (f.flags & FLAG_FIN) stream.finishRemote();
        return;
      }
      case 'headers': {
        this.decompressor.decompress(f.block);
        if (f.flags & FLAG_FIN) this.streams.get(f.streamId)?.finishRemote();
        return;
      }
      case 'data':
        this.streams.get(f.streamId)?.receive(f.data, (f.flags & FLAG_FIN) !== 0);
        return;
      case 'rst_stream': {
        const stream = this.streams.get(f.streamId);
        const pending = this.pendingReplies.get(f.streamId);
        if (pending) {
          this.pendingReplies.delete(f.streamId);
          clearTimeout(pending.timer);
          pending.reject(new Error(`SPDY stream ${f.streamId} was refused (status ${f.status})`));
        }
        if (stream) {
          this.streams.delete(f.streamId);
          stream.abort();
        }
        return;
      }
      case 'ping':
        if ((f.id % 2 === 0) === this.o.server) {
          this.pings.get(f.id)?.(0);
          this.pings.delete(f.id);
        } else {
          this.write(encodePing(f.id));
        }
        return;
      case 'goaway':
        this.goneAway = true;
        for (const [id, p] of this.pendingReplies) {
          if (id > f.lastGoodStreamId) { clearTimeout(p.timer); p.reject(new Error('SPDY connection went away')); this.pendingReplies.delete(id); }
        }
        return;
      default:
        // SETTINGS and WINDOW_UPDATE carry nothing this dialect acts on
        return;
    }
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pendingReplies.values()) { clearTimeout(p.timer); p.reject(new Error('SPDY connection closed')); }
    this.pendingReplies.clear();
    for (const s of this.streams.values()) s.abort();
    this.streams.clear();
    this.emit('close');
  }
}
