// The remote-command sub-protocols (exec and attach) and port-forward's, as apimachinery
// names them: protocol versions, the streamType header of each SPDY stream, the WebSocket
// channel numbers of v4/v5, and the Status objects sent on the error stream.

export const StreamProtocolV1 = 'channel.k8s.io';
export const StreamProtocolV2 = 'v2.channel.k8s.io';
export const StreamProtocolV3 = 'v3.channel.k8s.io';
export const StreamProtocolV4 = 'v4.channel.k8s.io';
export const StreamProtocolV5 = 'v5.channel.k8s.io';

export const PortForwardV1 = 'portforward.k8s.io';
export const PortForwardV2 = 'v2.portforward.k8s.io';
/** kubectl's port-forward tunnels SPDY through a WebSocket with this subprotocol prefix. */
export const SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';

export const STREAM_TYPE_HEADER = 'streamtype';
export type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize' | 'data';

/** WebSocket channel numbers (the first byte of every binary message). */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface TerminalSize { Width: number; Height: number }

export interface StatusObject {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: { type?: string; reason?: string; message: string }[] };
}

export const successStatus = (): StatusObject => ({ metadata: {}, status: 'Success' });

/** What kubectl turns into "command terminated with exit code N" and its own exit code. */
export function exitCodeStatus(code: number): StatusObject {
  return {
    metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
    message: `command terminated with non-zero exit code: error executing command, exit status ${code}`,
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function internalErrorStatus(message: string): StatusObject {
  return { metadata: {}, status: 'Failure', reason: 'InternalError', code: 500, message: `Internal error occurred: ${message}`,
    details: { causes: [{ message }] } };
}

/** The streams an exec/attach session uses, from its query (stdin, stdout, stderr, tty). */
export interface StreamOptions { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

export function streamOptions(q: URLSearchParams): StreamOptions {
  const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  const tty = flag('tty');
  return { stdin: flag('stdin') || flag('input'), stdout: flag('stdout') || flag('output'), stderr: (flag('stderr') || flag('error')) && !tty, tty };
}
