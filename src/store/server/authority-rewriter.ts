// Node's HTTP/2 (nghttp2) refuses a request whose :authority is not a bare host:port, but
// etcd clients send per-endpoint maintenance calls (etcdctl endpoint status, defrag, hashkv)
// with the endpoint URL itself, "http://127.0.0.1:2379", as :authority, which Go accepts.
// This layer sits between the socket and the gRPC server and replaces each request's
// :authority with "localhost" (nothing on the server reads it). To do that without a full
// HPACK codec it advertises a header table size of 0 in the server's first SETTINGS frame,
// so the client never indexes headers and each header block can be rewritten on its own.
import { Duplex } from 'node:stream';

const PREFACE_LEN = 24;
const FRAME_HEADER = 9;
const HEADERS = 0x1;
const SETTINGS = 0x4;
const CONTINUATION = 0x9;
const FLAG_END_STREAM = 0x1;
const FLAG_ACK = 0x1;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;
const MAX_FRAME = 16384;
const AUTHORITY_INDEX = 1; // ":authority" in HPACK's static table
const REPLACEMENT = Buffer.from('localhost');

function readInt(buf: Buffer, pos: number, prefixBits: number): [value: number, next: number] {
  const mask = (1 << prefixBits) - 1;
  let value = buf[pos] & mask;
  pos++;
  if (value < mask) return [value, pos];
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated HPACK integer');
    const b = buf[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

function writeInt(value: number, prefixBits: number, firstByteFlags: number): Buffer {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) return Buffer.from([firstByteFlags | value]);
  const out = [firstByteFlags | mask];
  value -= mask;
  while (value >= 128) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return Buffer.from(out);
}

/** [start, end) of a string literal (H bit + length + bytes) at pos; and whether it is the literal ":authority" */
function skipString(buf: Buffer, pos: number): [next: number, raw: Buffer, huffman: boolean] {
  const huffman = (buf[pos] & 0x80) !== 0;
  const [len, start] = readInt(buf, pos, 7);
  if (start + len > buf.length) throw new Error('truncated HPACK string');
  return [start + len, buf.subarray(start, start + len), huffman];
}

/** rewrites one complete header block; every field is copied except :authority's value */
export function rewriteHeaderBlock(block: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < block.length) {
    const b = block[pos];
    const start = pos;
    if (b & 0x80) {
      // indexed field: with a zero-size table only static entries exist, and static
      // index 1 has no value, so it is copied as it is
      pos = readInt(block, pos, 7)[1];
      out.push(block.subarray(start, pos));
      continue;
    }
    if ((b & 0xe0) === 0x20) {
      pos = readInt(block, pos, 5)[1]; // dynamic table size update
      out.push(block.subarray(start, pos));
      continue;
    }
    const prefix = (b & 0xc0) === 0x40 ? 6 : 4;
    const flags = b & (prefix === 6 ? 0xc0 : 0xf0);
    let [index, p] = readInt(block, pos, prefix);
    let isAuthority = index === AUTHORITY_INDEX;
    let nameRaw: Buffer | undefined;
    if (index === 0) {
      const [next, raw, huffman] = skipString(block, p);
      nameRaw = block.subarray(p, next);
      isAuthority = !huffman && raw.toString() === ':authority';
      p = next;
    }
    const [next] = skipString(block, p);
    pos = next;
    if (!isAuthority) {
      out.push(block.subarray(start, pos));
      continue;
    }
    index = nameRaw ? 0 : AUTHORITY_INDEX;
    out.push(writeInt(index, prefix, flags));
    if (nameRaw) out.push(nameRaw);
    out.push(writeInt(REPLACEMENT.length, 7, 0), REPLACEMENT);
  }
  return Buffer.concat(out);
}

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(FRAME_HEADER);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([h, payload]);
}

/** HEADERS (+ CONTINUATION) frames for a rewritten block */
function headerFrames(stream: number, endStream: boolean, priority: Buffer | undefined, block: Buffer): Buffer[] {
  const first = priority ? Buffer.concat([priority, block.subarray(0, MAX_FRAME - 5)]) : block.subarray(0, MAX_FRAME);
  let rest = block.subarray(first.length - (priority ? 5 : 0));
  const frames: Buffer[] = [];
  const flagsBase = (endStream ? FLAG_END_STREAM : 0) | (priority ? FLAG_PRIORITY : 0);
  frames.push(frame(HEADERS, flagsBase | (rest.length === 0 ? FLAG_END_HEADERS : 0), stream, first));
  while (rest.length > 0) {
    const part = rest.subarray(0, MAX_FRAME);
    rest = rest.subarray(part.length);
    frames.push(frame(CONTINUATION, rest.length === 0 ? FLAG_END_HEADERS : 0, stream, part));
  }
  return frames;
}

/** client → server: rewrites header blocks, passes every other frame through */
class ClientFrames {
  private buf: Buffer = Buffer.alloc(0);
  private prefaceLeft = PREFACE_LEN;
  private pending?: { stream: number; endStream: boolean; priority?: Buffer; parts: Buffer[] };

  /** dropAck: the client's next SETTINGS ACK answers h2-first-request.ts's SETTINGS, not the server's */
  constructor(private dropAck = false) {}

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (this.prefaceLeft > 0) {
      const n = Math.min(this.prefaceLeft, this.buf.length);
      out.push(this.buf.subarray(0, n));
      this.buf = this.buf.subarray(n);
      this.prefaceLeft -= n;
    }
    while (this.prefaceLeft === 0 && this.buf.length >= FRAME_HEADER) {
      const len = this.buf.readUIntBE(0, 3);
      if (this.buf.length < FRAME_HEADER + len) break;
      const type = this.buf[3];
      const flags = this.buf[4];
      const stream = this.buf.readUInt32BE(5) & 0x7fffffff;
      const whole = this.buf.subarray(0, FRAME_HEADER + len);
      let payload = whole.subarray(FRAME_HEADER);
      this.buf = this.buf.subarray(FRAME_HEADER + len);
      if (type === SETTINGS && flags & FLAG_ACK && this.dropAck) {
        this.dropAck = false;
        continue;
      }
      if (type === HEADERS) {
        let priority: Buffer | undefined;
        if (flags & FLAG_PADDED) {
          const pad = payload[0];
          payload = payload.subarray(1, payload.length - pad);
        }
        if (flags & FLAG_PRIORITY) {
          priority = payload.subarray(0, 5);
          payload = payload.subarray(5);
        }
        this.pending = { stream, endStream: (flags & FLAG_END_STREAM) !== 0, priority, parts: [payload] };
      } else if (type === CONTINUATION && this.pending) {
        this.pending.parts.push(payload);
      } else {
        out.push(whole);
        continue;
      }
      if (flags & FLAG_END_HEADERS) {
        const p = this.pending!;
        this.pending = undefined;
        out.push(...headerFrames(p.stream, p.endStream, p.priority, rewriteHeaderBlock(Buffer.concat(p.parts))));
      }
    }
    return out;
  }
}

/** server → client: adds HEADER_TABLE_SIZE=0 to the server's first SETTINGS frame */
class ServerFrames {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;

  push(chunk: Buffer): Buffer[] {
    if (this.done) return [chunk];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    while (!this.done && this.buf.length >= FRAME_HEADER) {
      const len = this.buf.readUIntBE(0, 3);
      if (this.buf.length < FRAME_HEADER + len) break;
      const whole = this.buf.subarray(0, FRAME_HEADER + len);
      this.buf = this.buf.subarray(FRAME_HEADER + len);
      if (whole[3] === SETTINGS && !(whole[4] & FLAG_ACK)) {
        const extra = Buffer.from([0x00, 0x01, 0x00, 0x00, 0x00, 0x00]); // SETTINGS_HEADER_TABLE_SIZE = 0
        out.push(frame(SETTINGS, whole[4], 0, Buffer.concat([whole.subarray(FRAME_HEADER), extra])));
        this.done = true;
      } else {
        out.push(whole);
      }
    }
    if (this.done && this.buf.length) out.push(this.buf);
    if (this.done) this.buf = Buffer.alloc(0);
    return out;
  }
}

/** wraps a client socket for the gRPC server, rewriting as described above */
export function rewriteAuthority(socket: Duplex, opts: { dropSettingsAck?: boolean } = {}): Duplex {
  const fromClient = new ClientFrames(opts.dropSettingsAck);
  const toClient = new ServerFrames();
  const wrapped = new Duplex({
    read() {
      socket.resume();
    },
    // node's HTTP/2 hands a send cycle's frames over corked (JSStreamSocket), so they
    // arrive here together and leave in one writev instead of a syscall per frame
    writev(chunks, cb) {
      let ok = true;
      socket.cork();
      for (const { chunk } of chunks) for (const part of toClient.push(chunk as Buffer)) ok = socket.write(part);
      socket.uncork();
      if (ok) cb();
      else socket.once('drain', () => cb());
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    let parts: Buffer[];
    try {
      parts = fromClient.push(chunk);
    } catch (err) {
      socket.destroy(err as Error);
      return;
    }
    // one push per socket read: each push is a separate pass through node's HTTP/2 parser
    if (parts.length > 0 && !wrapped.push(parts.length === 1 ? parts[0] : Buffer.concat(parts))) socket.pause();
  });
  socket.on('end', () => wrapped.push(null));
  socket.on('close', () => wrapped.destroy());
  socket.on('error', (err) => wrapped.destroy(err));
  return wrapped;
}
