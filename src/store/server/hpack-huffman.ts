// HPACK's Huffman code (RFC 7541, Appendix B), decoding only. The code is canonical, so
// the code length of each symbol (0..255 and EOS) is all it takes to rebuild it: one
// letter per symbol below, 'A' = 5 bits ... 'Z' = 30 bits.
const LENGTHS =
  'ISXXXXXXXTZXXZXXXXXXXXZXXXXXXXXXBFFHIBDGFFDGDBBBAAABBBBBBBCDKBHFIBCCCCCCCCCCCCCCCCCCCCCCDCDIOIJBKABABABBBACCBBBABCBAABCCCCCKGJIXPRPPRRRSRSSSSSTSTTRSTSSSSQRSRSSTRQPRRSSQSRRTQRSSQQRQSRSSPRRRSRRSVVPORSRUVVVWWVTUOQVWWVWTQQVVXWWWPTPQRQQSRRUUTTVSVWVVWWWWWXWWWWWVZ';
const EOS = 256;

interface Table {
  /** per code length: the first code, the index of its symbol in `symbols`, and how many */
  first: number[];
  start: number[];
  count: number[];
  symbols: number[];
}

let table: Table | undefined;

function build(): Table {
  const len = [...LENGTHS].map((c) => c.charCodeAt(0) - 65 + 5);
  const symbols = len.map((_, s) => s).sort((a, b) => len[a] - len[b] || a - b);
  const first: number[] = [];
  const start: number[] = [];
  const count: number[] = new Array(31).fill(0);
  for (const l of len) count[l]++;
  let code = 0;
  let index = 0;
  for (let l = 1; l <= 30; l++) {
    first[l] = code;
    start[l] = index;
    index += count[l];
    code = (code + count[l]) * 2;
  }
  return { first, start, count, symbols };
}

/** the decoded bytes, or undefined for an invalid string (EOS inside, bad padding) */
export function huffmanDecode(buf: Buffer): Buffer | undefined {
  const t = (table ??= build());
  const out: number[] = [];
  let code = 0;
  let bits = 0;
  for (const byte of buf) {
    for (let i = 7; i >= 0; i--) {
      code = code * 2 + ((byte >> i) & 1);
      bits++;
      const offset = code - t.first[bits];
      if (bits >= 5 && offset < t.count[bits]) {
        const sym = t.symbols[t.start[bits] + offset];
        if (sym === EOS) return undefined;
        out.push(sym);
        code = 0;
        bits = 0;
      } else if (bits > 30) {
        return undefined;
      }
    }
  }
  // padding: fewer than 8 bits, all ones (a prefix of EOS)
  if (bits > 7 || code !== 2 ** bits - 1) return undefined;
  return Buffer.from(out);
}
