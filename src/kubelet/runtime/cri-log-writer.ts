// Container output in CRI's log format, one record per line:
//   2024-05-01T10:00:00.123000000Z stdout F the line
// A chunk that ends without a newline is written with the P (partial) tag so readers
// can join it with what follows, as containerd does.
import fs from 'node:fs';
import path from 'node:path';

export function criTimestamp(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export class CriLogWriter {
  private readonly fd: number;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const ts = criTimestamp();
    const text = chunk.toString('utf8');
    const lines = text.split('\n');
    const last = lines.pop()!;
    let out = '';
    for (const l of lines) out += `${ts} ${stream} F ${l}\n`;
    if (last) out += `${ts} ${stream} P ${last}\n`;
    try {
      fs.writeSync(this.fd, out);
    } catch { /* a full disk must not crash the kubelet */ }
  }

  close(): void {
    try { fs.closeSync(this.fd); } catch { /* already closed */ }
  }
}

/** One parsed record of a CRI log file. */
export interface LogRecord { time: string; stream: 'stdout' | 'stderr'; partial: boolean; text: string }

export function parseLogLine(line: string): LogRecord | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) (.*)$/.exec(line);
  return m ? { time: m[1], stream: m[2] as 'stdout' | 'stderr', partial: m[3] === 'P', text: m[4] } : undefined;
}
