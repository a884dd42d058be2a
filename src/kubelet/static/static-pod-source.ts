// --pod-manifest-path: every *.yaml/*.yml/*.json file in the directory (or the one file)
// is a static pod. The directory is watched (fs.watch, plus a rescan every 20 s as upstream
// does, because inotify can miss things); added, changed and removed files become pod
// adds and removes. Bad files are logged and skipped; the rest keep running.
import fs from 'node:fs';
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parse } from 'yaml';
import type { Logger } from '../../client/index.js';
import { staticPod } from './static-pod.js';

export interface StaticPodHandler {
  add(pod: Pod): void;
  remove(pod: Pod): void;
}

const MANIFEST = /\.(ya?ml|json)$/;

export class StaticPodSource {
  /** file → the pod it currently defines */
  private readonly pods = new Map<string, Pod>();
  private readonly errors = new Map<string, string>();
  private watcher?: fs.FSWatcher;
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;

  constructor(private readonly dir: string, private readonly nodeName: string, private readonly handler: StaticPodHandler, private readonly log: Logger, private readonly rescanMs = 20_000) {}

  start(): void {
    this.scan();
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      this.watcher = fs.watch(this.dir, () => {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.scan(), 100);
      });
      this.watcher.on('error', () => undefined);
    } catch (err) {
      this.log(`kubelet: cannot watch ${this.dir}: ${(err as Error).message}; rescanning every ${this.rescanMs / 1000}s`);
    }
    this.timer = setInterval(() => this.scan(), this.rescanMs);
  }

  stop(): void {
    this.watcher?.close();
    clearInterval(this.timer);
    clearTimeout(this.debounce);
  }

  current(): Pod[] {
    return [...this.pods.values()];
  }

  private files(): string[] {
    try {
      if (fs.statSync(this.dir).isFile()) return [this.dir];
      return fs.readdirSync(this.dir).filter((f) => MANIFEST.test(f) && !f.startsWith('.')).map((f) => path.join(this.dir, f));
    } catch {
      return [];
    }
  }

  scan(): void {
    const seen = new Set<string>();
    for (const file of this.files()) {
      seen.add(file);
      let text: string;
      try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
      let pod: Pod;
      try {
        pod = staticPod(parse(text, { version: '1.1' }), file, text, this.nodeName);
      } catch (err) {
        const msg = (err as Error).message;
        if (this.errors.get(file) !== msg) this.log(`kubelet: static pod manifest ${file} skipped: ${msg}`);
        this.errors.set(file, msg);
        continue;
      }
      this.errors.delete(file);
      const old = this.pods.get(file);
      if (old?.metadata?.uid === pod.metadata?.uid) continue;
      if (old) { this.log(`kubelet: static pod ${old.metadata?.name} changed (${file})`); this.handler.remove(old); }
      this.pods.set(file, pod);
      this.log(`kubelet: static pod ${pod.metadata?.namespace}/${pod.metadata?.name} from ${file}`);
      this.handler.add(pod);
    }
    for (const [file, pod] of this.pods) {
      if (seen.has(file) && !this.errors.has(file)) continue;
      if (seen.has(file)) continue; // a now-broken file keeps its last good pod running
      this.pods.delete(file);
      this.log(`kubelet: static pod ${pod.metadata?.name} removed (${file} is gone)`);
      this.handler.remove(pod);
    }
  }
}
