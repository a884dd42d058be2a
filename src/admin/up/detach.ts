// `tskube up -d`: the same `up` runs in the background (its own session, output to
// logs/up.log); this process shows its progress until the cluster is ready, then leaves.
// `tskube down` finds it through the pid file.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { ClusterLayout } from './cluster-layout.js';
import { alive } from './processes.js';
import { tskubeArgv } from './tskube-command.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `tskube up ARGS` detached; resolves with its pid once ready, rejects if it exits first. */
export async function upDetached(l: ClusterLayout, upArgs: string[], out: (chunk: string) => void): Promise<number> {
  if (fs.existsSync(l.pidFile)) {
    const pid = Number(fs.readFileSync(l.pidFile, 'utf8').trim());
    if (pid && alive(pid)) throw new Error(`cluster "${l.name}" is already running (pid ${pid}, data dir ${l.dataDir}); stop it with \`tskube down --name ${l.name}\``);
  }
  fs.mkdirSync(l.logsDir, { recursive: true });
  fs.rmSync(l.readyFile, { force: true });
  fs.writeFileSync(l.upLog, '');
  const fd = fs.openSync(l.upLog, 'a');
  const child = spawn(tskubeArgv()[0], [tskubeArgv()[1], 'up', ...upArgs], { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  let exit: number | null | undefined;
  child.once('exit', (code) => { exit = code ?? 1; });
  const pid = child.pid as number;
  fs.writeFileSync(l.pidFile, `${pid}\n`);
  let shown = 0;
  const showNew = () => {
    const text = fs.readFileSync(l.upLog, 'utf8');
    if (text.length > shown) out(text.slice(shown));
    shown = text.length;
  };
  for (;;) {
    showNew();
    if (fs.existsSync(l.readyFile)) break;
    if (exit !== undefined) throw new Error(`the cluster did not start (exit code ${exit}); its log is ${l.upLog}`);
    await sleep(200);
  }
  await sleep(50);
  showNew();
  child.unref();
  return pid;
}

/** Stops the `up` process named in the pid file; false when none was running. */
export async function downCluster(l: ClusterLayout, timeoutMs = 30_000): Promise<boolean> {
  if (!fs.existsSync(l.pidFile)) return false;
  const pid = Number(fs.readFileSync(l.pidFile, 'utf8').trim());
  if (!pid || !alive(pid)) {
    fs.rmSync(l.pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) throw new Error(`the cluster's \`tskube up\` process (pid ${pid}) did not stop within ${timeoutMs / 1000}s`);
  fs.rmSync(l.pidFile, { force: true });
  return true;
}
