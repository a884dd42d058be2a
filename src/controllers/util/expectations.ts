// Upstream's ControllerExpectations (with UID-tracked deletions): after a controller asks
// for N creations or deletions it does not act on that owner again until its informer has
// seen them (or 5 minutes passed), so a slow watch never causes double creates or deletes.
const TTL_MS = 5 * 60_000;

interface Expectation { add: number; del: Set<string>; at: number }

export class Expectations {
  private readonly m = new Map<string, Expectation>();

  satisfied(key: string): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del.size === 0) return true;
    return Date.now() - e.at > TTL_MS;
  }

  expectCreations(key: string, n: number): void {
    this.m.set(key, { add: n, del: new Set(), at: Date.now() });
  }

  /** `podKeys` are namespace/name keys of the objects we are about to delete. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.m.set(key, { add: 0, del: new Set(podKeys), at: Date.now() });
  }

  creationObserved(key: string): void {
    const e = this.m.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.m.get(key)?.del.delete(podKey);
  }

  delete(key: string): void {
    this.m.delete(key);
  }
}
