// Encoded answers to cluster names, reused while the cluster's records stay the same. An answer
// is a function of the query's bytes after its id (flags, question, EDNS) and of the records,
// so the query's own bytes are the key and any informer event empties the cache. A hit costs a
// copy and the id, instead of decoding the query, walking the records and encoding the answer.
import type { SharedInformer } from '../client/index.js';

/** Past this many distinct queries between two changes, start over (bounds the memory). */
const MAX_ENTRIES = 20_000;

export class AnswerCache {
  private readonly answers = new Map<string, Buffer>();

  constructor(informers: SharedInformer<any>[]) {
    const clear = () => this.answers.clear();
    for (const inf of informers) inf.addEventHandler({ onAdd: clear, onUpdate: clear, onDelete: clear });
  }

  /** The cached answer to this query (over UDP, or TCP), with the query's id; undefined on a miss. */
  get(query: Buffer, tcp: boolean): Buffer | undefined {
    if (query.length < 12) return undefined;
    const hit = this.answers.get(keyOf(query, tcp));
    if (!hit) return undefined;
    const out = Buffer.from(hit);
    query.copy(out, 0, 0, 2);
    return out;
  }

  set(query: Buffer, tcp: boolean, answer: Buffer): void {
    if (query.length < 12 || answer.length < 12) return;
    if (this.answers.size >= MAX_ENTRIES) this.answers.clear();
    this.answers.set(keyOf(query, tcp), answer);
  }
}

const keyOf = (query: Buffer, tcp: boolean): string => (tcp ? 't' : 'u') + query.toString('latin1', 2);
