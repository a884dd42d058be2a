// The server side of port-forward over SPDY (upstream's kubelet/cri/streaming/portforward):
// each forwarded connection is a pair of streams sharing a requestID — "error" and "data",
// both naming the port — and the data stream is joined to that port in the pod. A failure
// is written as text on the pair's error stream, as upstream does.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { PortForwardV1, STREAM_TYPE_HEADER } from '../../api/httpstream/remotecommand.js';
import type { SpdyStream } from '../../api/httpstream/spdy/spdy-stream.js';
import { acceptSpdy } from '../../api/httpstream/upgrade.js';

/** Upstream closes a port-forward connection idle for 4 hours (--streaming-connection-idle-timeout). */
const IDLE_TIMEOUT_MS = 4 * 3600_000;

export function servePortForward(req: http.IncomingMessage, socket: Duplex, head: Buffer, podName: string,
  forward: (port: number, data: Duplex) => Promise<void>, log: (m: string) => void): void {
  const accepted = acceptSpdy(req, socket, head, [PortForwardV1]);
  if (!accepted) return;
  const { conn } = accepted;
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  let idle = setTimeout(() => conn.close(), IDLE_TIMEOUT_MS);
  const touch = () => { clearTimeout(idle); idle = setTimeout(() => conn.close(), IDLE_TIMEOUT_MS); };
  conn.on('close', () => clearTimeout(idle));
  conn.on('error', (err) => log(`kubelet: port-forward connection: ${err.message}`));
  conn.on('stream', (s) => {
    touch();
    const type = s.header(STREAM_TYPE_HEADER);
    const portText = s.header('port') ?? '';
    const requestID = s.header('requestid') ?? portText;
    const port = Number(portText);
    if ((type !== 'error' && type !== 'data') || !Number.isInteger(port) || port < 1 || port > 65535) {
      if (type === 'error') s.end(`invalid port header ${JSON.stringify(portText)}`);
      s.reset();
      return;
    }
    const pair = pairs.get(requestID) ?? {};
    if (pair[type]) { s.reset(); return; }
    pair[type] = s;
    pairs.set(requestID, pair);
    if (!pair.error || !pair.data) return;
    pairs.delete(requestID);
    const { error, data } = pair;
    // the client never writes on the error stream: close our reading side of it
    error.resume();
    forward(port, data).then(() => { error.end(); }, (err: Error) => {
      const msg = `error forwarding port ${port} to pod ${podName}: ${err.message}`;
      log(`kubelet: ${msg}`);
      error.end(msg);
      data.end();
    });
  });
}

/** Joins a forwarded stream and a TCP connection until both directions are done. */
export function splice(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let done = 0;
    const finish = () => { if (++done === 2) resolve(); };
    a.pipe(b);
    b.pipe(a);
    a.once('end', finish);
    b.once('end', finish);
    const fail = () => { a.destroy(); b.destroy(); resolve(); };
    a.once('error', fail);
    b.once('error', fail);
    a.once('close', () => { if (done < 2) { b.end(); } });
  });
}
