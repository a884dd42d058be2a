// Reads a fresh HTTP/2 client connection up to its first request's headers, to learn the
// :authority it uses, before the connection goes to node's HTTP/2 server.
//
// Why: node's HTTP/2 (nghttp2) resets requests whose :authority is not a plain host:port,
// which Go clients send for per-endpoint calls ("http://127.0.0.1:2379", see
// authority-rewriter.ts). Rewriting every connection costs each request a pass through a
// JavaScript stream (node's JSStreamSocket) instead of node's native socket path; so only
// connections whose first request has such an authority take the rewriter, and the others
// go to node's HTTP/2 server as they are. (A Go connection's authority is fixed per
// connection: its first request speaks for the rest.)
//
// Go's gRPC client sends no request before the server's SETTINGS; so this sends one first
// (header table size 0, which the rewriter needs and is harmless otherwise), takes the
// client's ACK of it out of the stream (node's server must not see an ACK it did not ask
// for), and waits for both that ACK and the first HEADERS. A client that sends neither in
// time goes to the rewriter, which still drops the ACK when it comes.
import type { Duplex } from 'node:stream';
import { huffmanDecode } from './hpack-huffman.js';

const PREFACE_LEN = 24;
const FRAME_HEADER = 9;
const HEADERS = 0x1;
const SETTINGS = 0x4;
const FLAG_ACK = 0x1;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;
const AUTHORITY_INDEX = 1;

/** SETTINGS with HEADER_TABLE_SIZE = 0 */
export const SERVER_SETTINGS = Buffer.from([0, 0, 6, SETTINGS, 0, 0, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 0]);

export interface FirstRequest {
  /** what the client sent so far, without the ACK of SERVER_SETTINGS */
  bytes: Buffer;
  ackSeen: boolean;
  /** the first request's :authority; undefined when it did not come or could not be read */
  authority?: string;
}

/** a host, an IPv4 address or a bracketed IPv6 address, with an optional port: what nghttp2 accepts */
export function plainAuthority(a: string | undefined): boolean {
  return a !== undefined && /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/.test(a);
}

export function readFirstRequest(sock: Duplex, timeoutMs = 250): Promise<FirstRequest> {
  sock.write(SERVER_SETTINGS);
  return new Promise((resolve) => {
    const kept: Buffer[] = [];
    let buf: Buffer = Buffer.alloc(0);
    let prefaceLeft = PREFACE_LEN;
    let ackSeen = false;
    let headersSeen = false;
    let authority: string | undefined;
    const done = () => {
      clearTimeout(timer);
      sock.removeListener('readable', onReadable);
      sock.removeListener('end', done);
      sock.removeListener('error', done);
      resolve({ bytes: Buffer.concat([...kept, buf]), ackSeen, authority });
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = sock.read() as Buffer | null) !== null) buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (prefaceLeft > 0) {
        const n = Math.min(prefaceLeft, buf.length);
        kept.push(buf.subarray(0, n));
        buf = buf.subarray(n);
        prefaceLeft -= n;
      }
      while (prefaceLeft === 0 && buf.length >= FRAME_HEADER) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < FRAME_HEADER + len) break;
        const type = buf[3];
        const flags = buf[4];
        const whole = buf.subarray(0, FRAME_HEADER + len);
        buf = buf.subarray(FRAME_HEADER + len);
        if (type === SETTINGS && flags & FLAG_ACK && !ackSeen) {
          ackSeen = true; // ours: dropped
          continue;
        }
        kept.push(whole);
        if (type === HEADERS && !headersSeen) {
          headersSeen = true;
          // a header block split over CONTINUATION frames is left to the rewriter
          if (flags & FLAG_END_HEADERS) authority = authorityOf(headerBlock(whole.subarray(FRAME_HEADER), flags));
        }
      }
      if (ackSeen && headersSeen) done();
    };
    const timer = setTimeout(done, timeoutMs);
    sock.on('readable', onReadable);
    sock.once('end', done);
    sock.once('error', done);
    onReadable();
  });
}

function headerBlock(payload: Buffer, flags: number): Buffer {
  let start = 0;
  let end = payload.length;
  if (flags & FLAG_PADDED) {
    start = 1;
    end -= payload[0];
  }
  if (flags & FLAG_PRIORITY) start += 5;
  return payload.subarray(start, Math.max(start, end));
}

function readInt(buf: Buffer, pos: number, prefixBits: number): [value: number, next: number] {
  const mask = (1 << prefixBits) - 1;
  let value = buf[pos] & mask;
  pos++;
  if (value < mask) return [value, pos];
  for (let shift = 0; ; shift += 7) {
    if (pos >= buf.length || shift > 28) throw new Error('bad HPACK integer');
    const b = buf[pos++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

function readString(buf: Buffer, pos: number): [value: string | undefined, next: number] {
  if (pos >= buf.length) throw new Error('truncated HPACK string');
  const huffman = (buf[pos] & 0x80) !== 0;
  const [len, start] = readInt(buf, pos, 7);
  if (start + len > buf.length) throw new Error('truncated HPACK string');
  const raw = buf.subarray(start, start + len);
  const bytes = huffman ? huffmanDecode(raw) : raw;
  return [bytes?.toString('latin1'), start + len];
}

/**
 * The :authority of a header block, or undefined when the block may name it in a way this
 * does not follow (an entry of the dynamic table) or is malformed.
 */
export function authorityOf(block: Buffer): string | undefined {
  try {
    let pos = 0;
    while (pos < block.length) {
      const b = block[pos];
      if (b & 0x80) {
        const [index, next] = readInt(block, pos, 7);
        pos = next;
        // static entry 1 is ":authority" with an empty value; a dynamic entry may be it too,
        // which only a literal :authority later in the block can settle
        if (index === AUTHORITY_INDEX) return '';
        continue;
      }
      if ((b & 0xe0) === 0x20) {
        pos = readInt(block, pos, 5)[1]; // dynamic table size update
        continue;
      }
      const [index, next] = readInt(block, pos, (b & 0xc0) === 0x40 ? 6 : 4);
      pos = next;
      let name: string | undefined;
      if (index === 0) [name, pos] = readString(block, pos);
      else if (index === AUTHORITY_INDEX) name = ':authority';
      const [value, after] = readString(block, pos);
      pos = after;
      if (name === ':authority') return value;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
