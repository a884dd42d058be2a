// exec: run the command in the container (ExecSync); exit code 0 is success.
import type { ProbeHandler } from './probe-handler.js';

export const execProbe = {
  kind: 'exec',
  async run(probe, target, timeoutMs) {
    const r = await target.runtime.execSync(target.containerId, probe.exec?.command ?? [], Math.ceil(timeoutMs / 1000));
    const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8').slice(0, 10 * 1024);
    return { ok: r.exitCode === 0, output: r.exitCode === 0 ? output : `command ${JSON.stringify((probe.exec?.command ?? []).join(' '))} exited with ${r.exitCode}: ${output}` };
  },
} satisfies ProbeHandler;
