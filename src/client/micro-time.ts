// The two timestamp encodings of the API: metav1.Time (RFC 3339, whole seconds, UTC) and
// metav1.MicroTime (RFC 3339 with exactly six fractional digits), as Go marshals them.

let lastSecond = NaN;
let lastText = '';

/**
 * `2024-05-01T10:00:00Z`. The text of the last second formatted is kept: a hollow kubelet
 * stamps every event twice and every pod's start and conditions, mostly within one second.
 */
export function formatTime(d: Date = new Date()): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

/** `2024-05-01T10:00:00.123000Z` (JavaScript clocks have millisecond resolution). */
export function formatMicroTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Parses either form; NaN for anything else. */
export function parseTime(s: string | undefined): number {
  return s ? Date.parse(s) : NaN;
}
