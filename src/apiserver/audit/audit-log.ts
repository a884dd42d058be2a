// --audit-log-path: one JSON line per event, appended; "-" writes to stdout. The file is
// rotated past --audit-log-maxsize megabytes, keeping --audit-log-maxbackup old files no
// older than --audit-log-maxage days.
import fs from 'node:fs';
import path from 'node:path';
import type { AuditBackend } from './audit-backend.js';

export interface LogOptions { path: string; maxAgeDays?: number; maxBackups?: number; maxSizeMB?: number }

export class AuditLog implements AuditBackend {
  private size = 0;
  constructor(private readonly o: LogOptions) {
    if (o.path !== '-') {
      fs.mkdirSync(path.dirname(o.path), { recursive: true });
      fs.appendFileSync(o.path, '', { mode: 0o600 });
      this.size = fs.statSync(o.path).size;
    }
  }

  process(events: unknown[]): void { for (const e of events) this.write(e); }
  async shutdown(): Promise<void> { /* every write is already on disk */ }

  write(event: unknown): void {
    const line = JSON.stringify(event) + '\n';
    if (this.o.path === '-') { process.stdout.write(line); return; }
    if (this.o.maxSizeMB && this.size > 0 && this.size + Buffer.byteLength(line) > this.o.maxSizeMB * 1024 * 1024) this.rotate();
    fs.appendFileSync(this.o.path, line, { mode: 0o600 });
    this.size += Buffer.byteLength(line);
  }

  private rotate(): void {
    const ext = path.extname(this.o.path);
    const base = this.o.path.slice(0, this.o.path.length - ext.length);
    // lumberjack's backup name: audit-2006-01-02T15-04-05.000.log (UTC).
    const stamp = new Date().toISOString().replace(/:/g, '-').replace(/Z$/, '');
    fs.renameSync(this.o.path, `${base}-${stamp}${ext}`);
    this.size = 0;
    const dir = path.dirname(this.o.path);
    const prefix = path.basename(base) + '-';
    const backups = fs.readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith(ext)).sort().reverse();
    const cutoff = this.o.maxAgeDays ? Date.now() - this.o.maxAgeDays * 86400_000 : 0;
    backups.forEach((f, i) => {
      const full = path.join(dir, f);
      if ((this.o.maxBackups && i >= this.o.maxBackups) || (cutoff && fs.statSync(full).mtimeMs < cutoff)) fs.rmSync(full, { force: true });
    });
  }
}
