// SPDY/3.1 frames on the wire (draft 3.1, section 2.2): the 8-byte headers of control and
// data frames, the fixed fields of each control frame, and an incremental reader that cuts
// a byte stream into frames. Header blocks stay compressed here (header-block.ts).

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6, STREAM_IN_USE: 8, STREAM_ALREADY_CLOSED: 9 } as const;

/** Largest payload a frame's 24-bit length field holds. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'syn_stream'; streamId: number; associatedId: number; priority: number; flags: number; block: Buffer }
  | { kind: 'syn_reply'; streamId: number; flags: number; block: Buffer }
  | { kind: 'headers'; streamId: number; flags: number; block: Buffer }
  | { kind: 'rst_stream'; streamId: number; status: number }
  | { kind: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { kind: 'ping'; id: number }
  | { kind: 'goaway'; lastGoodStreamId: number; status: number }
  | { kind: 'window_update'; streamId: number; delta: number }
  | { kind: 'unknown'; type: number };

export class FrameError extends Error {}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new FrameError(`frame payload of ${payload.length} bytes is too large`);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

const u32 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
};

export function encodeData(streamId: number, data: Buffer, fin: boolean): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24 | data.length) >>> 0, 4);
  return Buffer.concat([h, data]);
}

export function encodeSynStream(streamId: number, block: Buffer, flags = 0, priority = 0): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
  fixed.writeUInt32BE(0, 4);
  fixed.writeUInt8((priority & 0x7) << 5, 8);
  return controlFrame(FrameType.SYN_STREAM, flags, Buffer.concat([fixed, block]));
}

export const encodeSynReply = (streamId: number, block: Buffer, flags = 0): Buffer =>
  controlFrame(FrameType.SYN_REPLY, flags, Buffer.concat([u32(streamId & 0x7fffffff), block]));

export const encodeRstStream = (streamId: number, status: number): Buffer => controlFrame(FrameType.RST_STREAM, 0, u32(streamId & 0x7fffffff, status));

export const encodePing = (id: number): Buffer => controlFrame(FrameType.PING, 0, u32(id));

export const encodeGoAway = (lastGoodStreamId: number, status = 0): Buffer => controlFrame(FrameType.GOAWAY, 0, u32(lastGoodStreamId & 0x7fffffff, status));

export const encodeWindowUpdate = (streamId: number, delta: number): Buffer => controlFrame(FrameType.WINDOW_UPDATE, 0, u32(streamId & 0x7fffffff, delta & 0x7fffffff));

export function encodeSettings(entries: { id: number; value: number; flags?: number }[]): Buffer {
  const b = Buffer.alloc(4 + entries.length * 8);
  b.writeUInt32BE(entries.length, 0);
  entries.forEach((e, i) => {
    b.writeUInt32BE((((e.flags ?? 0) & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + i * 8);
    b.writeUInt32BE(e.value >>> 0, 8 + i * 8);
  });
  return controlFrame(FrameType.SETTINGS, 0, b);
}

function need(p: Buffer, n: number, what: string): void {
  if (p.length < n) throw new FrameError(`${what} frame too short (${p.length} bytes)`);
}

function parseControl(type: number, flags: number, p: Buffer): Frame {
  switch (type) {
    case FrameType.SYN_STREAM:
      need(p, 10, 'SYN_STREAM');
      return { kind: 'syn_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, associatedId: p.readUInt32BE(4) & 0x7fffffff, priority: p[8] >> 5, flags, block: p.subarray(10) };
    case FrameType.SYN_REPLY:
      need(p, 4, 'SYN_REPLY');
      return { kind: 'syn_reply', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, block: p.subarray(4) };
    case FrameType.HEADERS:
      need(p, 4, 'HEADERS');
      return { kind: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, block: p.subarray(4) };
    case FrameType.RST_STREAM:
      need(p, 8, 'RST_STREAM');
      return { kind: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.SETTINGS: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      need(p, 4 + n * 8, 'SETTINGS');
      const entries = [];
      for (let i = 0; i < n; i++) {
        const fi = p.readUInt32BE(4 + i * 8);
        entries.push({ flags: fi >>> 24, id: fi & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { kind: 'settings', flags, entries };
    }
    case FrameType.PING:
      need(p, 4, 'PING');
      return { kind: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(p, 4, 'GOAWAY');
      return { kind: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case FrameType.WINDOW_UPDATE:
      need(p, 8, 'WINDOW_UPDATE');
      return { kind: 'window_update', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { kind: 'unknown', type };
  }
}

/** Accumulates bytes and hands out whole frames in order. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const flags = this.buf[4];
      const payload = this.buf.subarray(8, 8 + len);
      if (this.buf[0] & 0x80) {
        const version = this.buf.readUInt16BE(0) & 0x7fff;
        if (version !== SPDY_VERSION) throw new FrameError(`unsupported SPDY version ${version}`);
        out.push(parseControl(this.buf.readUInt16BE(2), flags, payload));
      } else {
        out.push({ kind: 'data', streamId: this.buf.readUInt32BE(0) & 0x7fffffff, flags, data: Buffer.from(payload) });
      }
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}
