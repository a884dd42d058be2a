// tcpSocket: success if a TCP connection opens.
import net from 'node:net';
import { type ProbeHandler, resolvePort } from './probe-handler.js';

export const tcpSocketProbe = {
  kind: 'tcpSocket',
  run(probe, target, timeoutMs) {
    const host = probe.tcpSocket!.host || target.host;
    const port = resolvePort(probe.tcpSocket!.port, target);
    return new Promise((resolve) => {
      const sock = net.connect({ host, port, timeout: timeoutMs });
      sock.once('connect', () => { sock.destroy(); resolve({ ok: true }); });
      sock.once('timeout', () => { sock.destroy(); resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` }); });
      sock.once('error', (err) => resolve({ ok: false, output: `dial tcp ${host}:${port}: ${err.message}` }));
    });
  },
} satisfies ProbeHandler;
