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
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => protocol ?? false });
  return new Promise((resolve) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      wss.close();
      resolve(ws);
    });
  });
}
