// A local image registry for tests and offline clusters: Debian's docker-registry on
// loopback with its storage in a temp dir, filled with `skopeo copy oci:DIR docker://…`.
// Optionally inside a network namespace, beside a containerd that runs there.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface LocalRegistryOptions {
  dir: string;
  /** host:port to listen on; default 127.0.0.1:5000. */
  addr?: string;
  netns?: string;
  binary?: string;
}

function inNetns(netns: string | undefined, argv: string[]): string[] {
  return netns ? ['nsenter', `--net=/run/netns/${netns}`, '--', ...argv] : argv;
}

function run(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0], argv.slice(1), { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(' ')}: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

export class LocalRegistry {
  private exitCode: number | null = null;
  private readonly exited: Promise<void>;

  private constructor(readonly addr: string, readonly netns: string | undefined, readonly dir: string, private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => { this.exitCode = code ?? -1; resolve(); }));
  }

  /** http://host:port, for registry mirrors. */
  get url(): string {
    return `http://${this.addr}`;
  }

  static async start(o: LocalRegistryOptions): Promise<LocalRegistry> {
    const addr = o.addr ?? '127.0.0.1:5000';
    fs.mkdirSync(path.join(o.dir, 'storage'), { recursive: true });
    const config = path.join(o.dir, 'config.yml');
    fs.writeFileSync(config, [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${JSON.stringify(path.join(o.dir, 'storage'))}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${JSON.stringify(addr)}`,
      '',
    ].join('\n'));
    const logFd = fs.openSync(path.join(o.dir, 'registry.log'), 'a');
    const argv = inNetns(o.netns, [o.binary ?? 'docker-registry', 'serve', config]);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    const reg = new LocalRegistry(addr, o.netns, o.dir, child);
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (reg.exitCode !== null) throw new Error(`docker-registry exited with ${reg.exitCode}: ${reg.logTail()}`);
      try {
        await run(inNetns(o.netns, ['busybox', 'wget', '-q', '-O', '/dev/null', `${reg.url}/v2/`]));
        return reg;
      } catch (err) {
        if (Date.now() > deadline) {
          await reg.stop();
          throw new Error(`docker-registry did not answer on ${addr}: ${(err as Error).message}`);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  logTail(): string {
    try { return fs.readFileSync(path.join(this.dir, 'registry.log'), 'utf8').slice(-2000); } catch { return ''; }
  }

  /** Copies an OCI layout directory (one image) to REPO:TAG in this registry with skopeo. */
  async push(layoutDir: string, repoTag: string): Promise<void> {
    await run(inNetns(this.netns, [
      'skopeo', '--insecure-policy', 'copy', '--dest-tls-verify=false', '-q',
      `oci:${layoutDir}`, `docker://${this.addr}/${repoTag}`,
    ]));
  }

  async stop(): Promise<void> {
    if (this.exitCode === null) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(t);
    }
  }
}
