// The real etcdctl (Debian's etcd-client), in v2 or v3 mode, pointed at one endpoint.
import { run, type RunResult } from './run-process.js';

export const ETCDCTL = '/usr/bin/etcdctl';

export interface EtcdctlOptions {
  api?: 2 | 3;
  endpoint: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  stopWhen?: (stdout: string) => boolean;
}

export function etcdctl(args: string[], opts: EtcdctlOptions): Promise<RunResult> {
  const api = opts.api ?? 3;
  // v2 etcdctl takes --endpoints before the command as a global flag; v3 accepts it anywhere.
  const globalFlags = [`--endpoints=${opts.endpoint}`];
  return run(ETCDCTL, [...globalFlags, ...args], {
    env: { ETCDCTL_API: String(api), ...opts.env },
    input: opts.input,
    timeoutMs: opts.timeoutMs,
    stopWhen: opts.stopWhen,
  });
}

/** stdout of a successful run; throws with everything printed when it failed. */
export function ok(res: RunResult): string {
  if (res.code !== 0) {
    throw new Error(`etcdctl exited ${res.code} (signal ${res.signal})\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  }
  return res.stdout;
}

/**
 * The "Error: ..." line of a failed run (etcdctl may print client retry warnings first);
 * throws when the run succeeded.
 */
export function errorLine(res: RunResult): string {
  if (res.code === 0) throw new Error(`etcdctl was expected to fail but printed: ${res.stdout}`);
  const errLines = res.stderr.split('\n').filter((l) => l.startsWith('Error:'));
  if (errLines.length === 0) throw new Error(`etcdctl failed without an Error: line\nstderr: ${res.stderr}\nstdout: ${res.stdout}`);
  return errLines.at(-1)!;
}
