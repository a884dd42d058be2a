// pods/exec and pods/attach for WebSocket clients (kubectl 1.32 tries v5.channel.k8s.io
// first): the API server accepts the WebSocket, opens SPDY streams to the kubelet and
// translates between them, as upstream's StreamTranslatorHandler does. WebSocket binary
// messages carry a channel byte (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); v5 adds
// 255 CHANNEL to close one stream (how `kubectl exec -i` ends the container's stdin).
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Channel, STREAM_TYPE_HEADER, StreamProtocolV4, StreamProtocolV5, type StreamOptions, internalErrorStatus, successStatus,
} from '../../api/httpstream/remotecommand.js';
import { SpdyConnection } from '../../api/httpstream/spdy/spdy-connection.js';
import type { SpdyStream } from '../../api/httpstream/spdy/spdy-stream.js';
import { dialUpgrade, type DialOptions, writeRawResponse } from '../../api/httpstream/upgrade.js';
import { acceptWebSocket, offeredSubprotocols } from './websocket-accept.js';

const frame = (channel: number, data: Buffer | string = Buffer.alloc(0)) => Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]);

/** Opens the SPDY side of the session on the kubelet; a refusal becomes an error message. */
async function openKubelet(target: DialOptions, opts: StreamOptions): Promise<{ conn: SpdyConnection; streams: Map<string, SpdyStream> }> {
  const res = await dialUpgrade({ ...target, method: 'POST', protocols: [StreamProtocolV5, StreamProtocolV4] });
  if (!res.upgraded) {
    let message = res.body.toString('utf8').trim();
    try { message = (JSON.parse(message) as { message?: string }).message ?? message; } catch { /* plain text */ }
    throw new Error(`unable to upgrade connection: ${message}`);
  }
  const conn = new SpdyConnection(res.socket, { server: false });
  conn.feed(res.head);
  conn.on('error', () => undefined);
  const types = ['error'];
  if (opts.stdin) types.push('stdin');
  if (opts.stdout) types.push('stdout');
  if (opts.stderr && !opts.tty) types.push('stderr');
  if (opts.tty) types.push('resize');
  const streams = new Map<string, SpdyStream>();
  for (const t of types) streams.set(t, await conn.createStream({ [STREAM_TYPE_HEADER]: [t] }));
  return { conn, streams };
}

export async function translateRemoteCommand(req: http.IncomingMessage, socket: Duplex, head: Buffer, target: DialOptions, opts: StreamOptions): Promise<void> {
  if (!offeredSubprotocols(req).includes(StreamProtocolV5)) {
    writeRawResponse(socket, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, `websocket streaming needs the ${StreamProtocolV5} subprotocol\n`);
    return;
  }
  const ws = await acceptWebSocket(req, socket, head, StreamProtocolV5);
  // the first (empty) message on the lowest writable channel tells the client we are ready
  ws.send(frame(opts.stdout ? Channel.stdout : opts.stderr && !opts.tty ? Channel.stderr : Channel.error));
  const pending: Buffer[] = [];
  let streams: Map<string, SpdyStream> | undefined;
  let conn: SpdyConnection | undefined;
  const onClientMessage = (msg: Buffer) => {
    if (!msg.length || !streams) return;
    const channel = msg[0];
    const data = msg.subarray(1);
    if (channel === Channel.stdin) streams.get('stdin')?.write(data);
    else if (channel === Channel.resize) streams.get('resize')?.write(data);
    else if (channel === Channel.close && data[0] === Channel.stdin) streams.get('stdin')?.end();
  };
  ws.on('message', (m: Buffer, isBinary: boolean) => { if (!isBinary) return; if (streams) onClientMessage(m); else pending.push(m); });
  ws.on('close', () => conn?.close());
  ws.on('error', () => conn?.destroy());
  const finish = (statusText: string) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame(Channel.error, statusText), () => ws.close(1000));
  };
  try {
    ({ conn, streams } = await openKubelet(target, opts));
  } catch (err) {
    finish(JSON.stringify(internalErrorStatus((err as Error).message)));
    return;
  }
  for (const m of pending.splice(0)) onClientMessage(m);
  const copied = (['stdout', 'stderr'] as const).map((t) => new Promise<void>((resolve) => {
    const s = streams!.get(t);
    if (!s) { resolve(); return; }
    s.on('data', (d: Buffer) => { if (ws.readyState === ws.OPEN) ws.send(frame(Channel[t], d)); });
    s.once('end', () => resolve());
  }));
  const errorText = new Promise<string>((resolve) => {
    const s = streams!.get('error')!;
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  const status = await errorText;
  await Promise.all(copied);
  conn.close();
  finish(status.trim() ? status : JSON.stringify(successStatus()));
}
