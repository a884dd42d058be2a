// SPDY/3 header blocks: name/value pairs (32-bit lengths, lower-case names, several values
// of one name joined by NUL), compressed with zlib and the SPDY dictionary in one stream
// per direction and connection, each frame's part ending in a sync flush. pako keeps the
// zlib state and works synchronously, so frames are handled strictly in arrival order.
import { Deflate, Inflate, Z_SYNC_FLUSH } from 'pako';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { FrameError } from './frames.js';

/** Header names are lower-case; a name may carry several values. */
export type SpdyHeaders = Record<string, string[]>;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers).filter(([, v]) => v.length > 0);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, values] of entries) {
    for (const s of [name.toLowerCase(), values.join('\0')]) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      parts.push(len, b);
    }
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  let off = 0;
  const u32 = () => {
    if (off + 4 > b.length) throw new FrameError('header block truncated');
    const v = b.readUInt32BE(off);
    off += 4;
    return v;
  };
  const str = () => {
    const n = u32();
    if (off + n > b.length) throw new FrameError('header block truncated');
    const s = b.toString('utf8', off, off + n);
    off += n;
    return s;
  };
  const out: SpdyHeaders = {};
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = str().toLowerCase();
    const value = str();
    out[name] = [...(out[name] ?? []), ...value.split('\0')];
  }
  return out;
}

export class HeaderCompressor {
  private readonly deflate = new Deflate({ level: 6, dictionary: SPDY3_DICTIONARY });
  private chunks: Uint8Array[] = [];

  constructor() {
    this.deflate.onData = (c: Uint8Array) => { this.chunks.push(c); };
  }

  compress(headers: SpdyHeaders): Buffer {
    this.chunks = [];
    this.deflate.push(encodeHeaderBlock(headers), Z_SYNC_FLUSH);
    return Buffer.concat(this.chunks);
  }
}

export class HeaderDecompressor {
  private readonly inflate = new Inflate({ dictionary: SPDY3_DICTIONARY });
  private chunks: Uint8Array[] = [];

  constructor() {
    this.inflate.onData = (c: Uint8Array) => { this.chunks.push(c); };
  }

  decompress(block: Buffer): SpdyHeaders {
    this.chunks = [];
    this.inflate.push(block, Z_SYNC_FLUSH);
    if (this.inflate.err) throw new FrameError(`header block: ${this.inflate.msg || `zlib error ${this.inflate.err}`}`);
    return decodeHeaderBlock(Buffer.concat(this.chunks));
  }
}
