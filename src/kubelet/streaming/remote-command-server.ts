// The server side of exec and attach over SPDY (upstream's kubelet/cri/streaming/
// remotecommand): accept the upgrade, wait for the client's streams (error, then stdin,
// stdout, stderr and resize as the query asked), run the session, and report its end on
// the error stream — a Status in v4/v5 (exit codes as NonZeroExitCode), text in v2/v3.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  STREAM_TYPE_HEADER, StreamProtocolV2, StreamProtocolV3, StreamProtocolV4, StreamProtocolV5, type StatusObject, type StreamOptions,
  exitCodeStatus, internalErrorStatus, successStatus,
} from '../../api/httpstream/remotecommand.js';
import type { SpdyStream } from '../../api/httpstream/spdy/spdy-stream.js';
import { acceptSpdy } from '../../api/httpstream/upgrade.js';
import type { StreamingIO, TerminalSize } from '../runtime/runtime-service.js';

export const REMOTE_COMMAND_PROTOCOLS = [StreamProtocolV5, StreamProtocolV4, StreamProtocolV3, StreamProtocolV2];

/** What a session ends with: an exit code (0 = success), or an error to report. */
export type SessionResult = number | Error | void;

/** How long the client has to open its streams (upstream's streamCreationTimeout). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** Reads newline-free JSON terminal sizes off the resize stream. */
function resizeEvents(stream: Duplex | undefined, emit: (s: TerminalSize) => void): void {
  if (!stream) return;
  let buf = '';
  stream.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    // sizes arrive as concatenated JSON objects ({"Width":80,"Height":24}{"Width":…})
    let m: RegExpExecArray | null;
    while ((m = /^\s*(\{[^}]*\})/.exec(buf))) {
      buf = buf.slice(m[0].length);
      try {
        const s = JSON.parse(m[1]) as { Width?: number; Height?: number };
        if (s.Width && s.Height) emit({ width: s.Width, height: s.Height });
      } catch { /* a malformed size is ignored, as upstream does */ }
    }
  });
}

export function serveRemoteCommand(req: http.IncomingMessage, socket: Duplex, head: Buffer, opts: StreamOptions,
  session: (io: StreamingIO) => Promise<SessionResult>, log: (m: string) => void): void {
  const accepted = acceptSpdy(req, socket, head, REMOTE_COMMAND_PROTOCOLS);
  if (!accepted) return;
  const { conn, protocol } = accepted;
  const version = protocol === StreamProtocolV5 ? 5 : protocol === StreamProtocolV4 ? 4 : protocol === StreamProtocolV3 ? 3 : 2;
  const expected = new Set<string>(['error']);
  if (opts.stdin) expected.add('stdin');
  if (opts.stdout) expected.add('stdout');
  if (opts.stderr && !opts.tty) expected.add('stderr');
  if (opts.tty && version >= 3) expected.add('resize');
  const streams = new Map<string, SpdyStream>();
  const abort = new AbortController();
  let started = false;
  const timer = setTimeout(() => {
    if (started) return;
    log(`kubelet: streams not created in time (have ${[...streams.keys()].join(',') || 'none'}, want ${[...expected].join(',')})`);
    conn.close();
  }, STREAM_CREATION_TIMEOUT_MS);
  conn.on('close', () => { clearTimeout(timer); abort.abort(); });
  conn.on('error', (err) => log(`kubelet: streaming connection: ${err.message}`));
  conn.on('stream', (s) => {
    const type = s.header(STREAM_TYPE_HEADER) ?? '';
    if (!expected.has(type) || streams.has(type)) { s.reset(); return; }
    streams.set(type, s);
    if (streams.size === expected.size && !started) {
      started = true;
      clearTimeout(timer);
      void run();
    }
  });

  const run = async (): Promise<void> => {
    const errorStream = streams.get('error')!;
    const resizeListeners: ((s: TerminalSize) => void)[] = [];
    const sizes: TerminalSize[] = [];
    resizeEvents(streams.get('resize'), (s) => { sizes.push(s); for (const l of resizeListeners) l(s); });
    const io: StreamingIO = {
      stdin: streams.get('stdin'), stdout: streams.get('stdout'), stderr: streams.get('stderr'), tty: opts.tty,
      onResize: (l) => { resizeListeners.push(l); for (const s of sizes) l(s); },
      signal: abort.signal,
    };
    let result: SessionResult;
    try {
      result = await session(io);
    } catch (err) {
      result = err as Error;
    }
    // output first, then the verdict, then the connection
    await Promise.all([io.stdout, io.stderr].map((w) => w && new Promise<void>((r) => w.end(r))));
    let status: StatusObject;
    if (result instanceof Error) status = internalErrorStatus(result.message);
    else if (typeof result === 'number' && result !== 0) status = exitCodeStatus(result);
    else status = successStatus();
    const text = version >= 4 ? JSON.stringify(status) : status.status === 'Success' ? '' : status.message ?? '';
    await new Promise<void>((r) => (text ? errorStream.end(text, () => r()) : errorStream.end(() => r())));
    conn.close();
  };
}
