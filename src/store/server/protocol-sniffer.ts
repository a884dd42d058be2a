// Decides whether a fresh connection speaks HTTP/2 (gRPC) or HTTP/1.x by its first bytes,
// then puts those bytes back so the chosen server reads the stream from the start.
import type { Duplex } from 'node:stream';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export type Protocol = 'h2' | 'http1';

export function sniffProtocol(sock: Duplex, timeoutMs = 10_000): Promise<Protocol | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const done = (p: Protocol | undefined) => {
      clearTimeout(timer);
      sock.removeListener('readable', onReadable);
      sock.removeListener('end', onEnd);
      sock.removeListener('error', onEnd);
      if (chunks.length > 0) sock.unshift(Buffer.concat(chunks));
      resolve(p);
    };
    const onEnd = () => done(undefined);
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = sock.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        got += chunk.length;
      }
      const head = Buffer.concat(chunks);
      const n = Math.min(head.length, PREFACE.length);
      if (!head.subarray(0, n).equals(PREFACE.subarray(0, n))) return done('http1');
      if (got >= PREFACE.length) return done('h2');
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    timer.unref();
    sock.on('readable', onReadable);
    sock.once('end', onEnd);
    sock.once('error', onEnd);
  });
}
