// A single pass over raw JSON text that follows the field tree alongside, so unknown and
// duplicate fields come out in the order upstream's decoder meets them. The text has
// already been parsed once (JSON.parse), so syntax is trusted; a surprise throws.

type Lookup = (code: string) => Record<string, string> | undefined;

export function scanJsonFields(text: string, root: string, fieldsOf: Lookup): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = () => { while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++; };
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

  function str(): string {
    const start = i;
    let escaped = false;
    i++;
    for (let c = text.charCodeAt(i); c !== 34; c = text.charCodeAt(i)) {
      if (c === 92) { escaped = true; i += 2; } else i++;
    }
    i++;
    // Only escaped strings need decoding; most keys and values are plain.
    return escaped ? JSON.parse(text.slice(start, i)) as string : text.slice(start + 1, i - 1);
  }

  /** A string value: skipped, not copied out. */
  function skipStr(): void {
    i++;
    for (let c = text.charCodeAt(i); c !== 34; c = text.charCodeAt(i)) i += c === 92 ? 2 : 1;
    i++;
  }

  function skipScalar(): void {
    while (i < text.length && !',}] \n\r\t'.includes(text[i])) i++;
  }

  /**
   * Reads one value; `code` is what the tree expects there (undefined: don't check). Its path
   * is `parent` with `seg` (a key or an index) and spelled only for objects and arrays.
   */
  function value(code: string | undefined, parent: string, seg?: string | number): void {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const path = seg === undefined ? parent : typeof seg === 'number' ? `${parent}[${seg}]` : join(parent, seg);
      if (c === '{') object(code, path); else array(code, path);
    } else if (c === '"') skipStr();
    else skipScalar();
  }

  function array(code: string | undefined, path: string): void {
    i++;
    const elem = code?.startsWith('[') ? code.slice(1, -1) : undefined;
    let n = 0;
    ws();
    if (text[i] === ']') { i++; return; }
    for (;;) {
      value(elem, path, n++);
      ws();
      if (text[i++] === ']') return;
    }
  }

  function object(code: string | undefined, path: string): void {
    i++;
    const isMap = code?.startsWith('{') ?? false;
    const fields = code && !isMap && code !== '' && code !== '*' ? fieldsOf(code) : undefined;
    const check = isMap || fields !== undefined;
    const seen = new Set<string>();
    ws();
    if (text[i] === '}') { i++; return; }
    for (;;) {
      ws();
      const key = str();
      ws();
      i++; // ':'
      let next: string | undefined;
      if (check) {
        const known = isMap || Object.prototype.hasOwnProperty.call(fields, key);
        if (!known) out.push(`unknown field "${join(path, key)}"`);
        else {
          if (seen.has(key)) out.push(`duplicate field "${join(path, key)}"`);
          seen.add(key);
          next = isMap ? code!.slice(1, -1) : fields![key];
        }
      }
      value(next, path, next === undefined ? undefined : key);
      ws();
      if (text[i++] === '}') return;
    }
  }

  value(root, '');
  return out;
}
