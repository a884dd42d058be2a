// A container's termination message: the file it wrote at terminationMessagePath (at most
// 4096 bytes), or with FallbackToLogsOnError and a failed, silent exit the tail of its log
// (80 lines, at most 2048 bytes) — what upstream puts in state.terminated.message.
import fs from 'node:fs';
import type { Container } from 'kubernetes-types/core/v1.js';
import { parseLogLine } from '../runtime/cri-log-writer.js';

export const MAX_MESSAGE_BYTES = 4096;
const FALLBACK_LINES = 80;
const FALLBACK_BYTES = 2048;

function readHead(file: string, max: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(max);
      const n = fs.readSync(fd, buf, 0, max, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

function logTail(logFile: string): string {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return '';
  }
  let out = '';
  for (const raw of text.split('\n')) {
    const l = parseLogLine(raw);
    if (l) out += l.text + (l.partial ? '' : '\n');
  }
  const lines = out.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const tail = lines.slice(-FALLBACK_LINES).map((l) => l + '\n').join('');
  const b = Buffer.from(tail);
  return b.length > FALLBACK_BYTES ? b.subarray(b.length - FALLBACK_BYTES).toString('utf8') : tail;
}

export function terminationMessage(c: Container, messageFile: string | undefined, exitCode: number, logFile: string | undefined): string {
  const written = messageFile ? readHead(messageFile, MAX_MESSAGE_BYTES) : '';
  if (written) return written;
  if (c.terminationMessagePolicy === 'FallbackToLogsOnError' && exitCode !== 0 && logFile) return logTail(logFile);
  return '';
}
