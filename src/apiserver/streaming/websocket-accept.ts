// Completes a WebSocket handshake on an upgrade the API server has taken over, with a
// subprotocol chosen by the caller (the `ws` library does the framing).
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** The subprotocols a WebSocket client offers, in its order. */
export function offeredSubprotocols(req: http.IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function acceptWebSocket(req: http.IncomingMessage, socket: Duplex, head: Buffer, protocol: string | undefined): Promise<WebSocket> {
  // kubectl's port-forward tunnel offers "SPDY/3.1+portforward.k8s.io", which `ws` refuses as
  // a subprotocol ("/" is not a token character) with a 400 — and kubectl then silently falls
  // back to SPDY. Go's websocket server takes it, so the header is answered here instead.
  delete req.headers['sec-websocket-protocol'];
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  if (protocol) wss.on('headers', (headers) => { headers.push(`Sec-WebSocket-Protocol: ${protocol}`); });
  return new Promise((resolve) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      wss.close();
      resolve(ws);
    });
  });
}
