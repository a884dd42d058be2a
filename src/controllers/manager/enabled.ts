// --controllers semantics (upstream's IsControllerEnabled): '*' turns on every controller
// that is on by default, 'foo' turns one on, '-foo' turns one off; the first match wins.
export function isControllerEnabled(name: string, disabledByDefault: ReadonlySet<string>, controllers: readonly string[]): boolean {
  let hasStar = false;
  for (const c of controllers) {
    if (c === name) return true;
    if (c === `-${name}`) return false;
    if (c === '*') hasStar = true;
  }
  return hasStar && !disabledByDefault.has(name);
}

/** Names in --controllers that no registered controller has (upstream refuses to start). */
export function unknownControllers(known: Iterable<string>, controllers: readonly string[]): string[] {
  const names = new Set(known);
  return controllers.filter((c) => c !== '*' && !names.has(c.replace(/^-/, '')));
}
