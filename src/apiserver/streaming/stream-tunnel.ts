// pods/portforward for WebSocket clients: kubectl 1.32 tunnels SPDY through a WebSocket
// (subprotocol "SPDY/3.1+portforward.k8s.io"), so the API server only strips the WebSocket
// layer: it dials the kubelet with a SPDY upgrade for the offered protocols and, once the
// kubelet switches, completes the handshake with the chosen one and relays bytes both ways
// (upstream's TunnelingHandler). A refusal is passed back as the HTTP response it was.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { SPDY_TUNNEL_PREFIX } from '../../api/httpstream/remotecommand.js';
import { dialUpgrade, type DialOptions, writeRawResponse } from '../../api/httpstream/upgrade.js';
import { acceptWebSocket, offeredSubprotocols } from './websocket-accept.js';

export async function tunnelPortForward(req: http.IncomingMessage, socket: Duplex, head: Buffer, target: DialOptions): Promise<void> {
  const spdyProtocols = offeredSubprotocols(req)
    .filter((p) => p.startsWith(SPDY_TUNNEL_PREFIX) && p.endsWith('.k8s.io'))
    .map((p) => p.slice(SPDY_TUNNEL_PREFIX.length));
  if (!spdyProtocols.length) {
    writeRawResponse(socket, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, 'unable to upgrade: no tunneling spdy protocols provided\n');
    return;
  }
  const res = await dialUpgrade({ ...target, method: 'POST', protocols: spdyProtocols });
  if (!res.upgraded) {
    const type = res.response.headers['content-type'];
    writeRawResponse(socket, res.response.statusCode ?? 502, type ? { 'Content-Type': type } : {}, res.body.toString('utf8'));
    return;
  }
  const upstream = res.socket;
  const ws = await acceptWebSocket(req, socket, head, res.protocol ? SPDY_TUNNEL_PREFIX + res.protocol : undefined);
  if (res.head.length) ws.send(res.head);
  upstream.on('data', (d: Buffer) => { if (ws.readyState === ws.OPEN) ws.send(d); });
  ws.on('message', (m: Buffer) => { upstream.write(m); });
  upstream.on('end', () => ws.close(1000));
  upstream.on('error', () => ws.terminate());
  upstream.on('close', () => { if (ws.readyState === ws.OPEN) ws.close(1000); });
  ws.on('close', () => upstream.end());
  ws.on('error', () => upstream.destroy());
}
