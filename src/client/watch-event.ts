// Watch events as the API server streams them: one JSON object per line.
import { StringDecoder } from 'node:string_decoder';
import type { Status } from '../api/status/index.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: Status };

/**
 * Splits a text stream into JSON lines; a half line at the end of the stream is an error.
 * Bytes are decoded with a StringDecoder (a UTF-8 character may straddle two chunks), and
 * each chunk is cut at its newlines once rather than re-scanning a growing buffer.
 */
export async function* jsonLines(stream: AsyncIterable<string | Buffer>): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl = text.indexOf('\n');
    if (nl < 0) { rest += text; continue; }
    let line = rest + text.slice(0, nl);
    let start = nl + 1;
    for (;;) {
      if (line.trim()) yield JSON.parse(line);
      nl = text.indexOf('\n', start);
      if (nl < 0) break;
      line = text.slice(start, nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.trim()) yield JSON.parse(rest);
}
