// JSON text the way Go's encoding/json writes it: HTML-sensitive characters and the JS line
// separators escaped, and a trailing newline (json.Encoder.Encode appends one).
export function goJSON(value: unknown): string {
  return (
    JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) +
    '\n'
  );
}

/** Go's RFC 3339 with nanoseconds, trailing zeros of the fraction trimmed, always UTC here. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return iso.slice(0, 19) + (frac ? '.' + frac : '') + 'Z';
}
