// Upstream's slowStartBatch: run `count` calls in batches of 1, 2, 4, … so that a request
// that fails for every pod (quota, admission) fails once, not `count` times. Returns how
// many succeeded; stops after the first batch with a failure.
export async function slowStartBatch(count: number, initialBatch: number, fn: (i: number) => Promise<void>): Promise<{ ok: number; error?: Error }> {
  let remaining = count;
  let ok = 0;
  let i = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(i++)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    ok += results.length - results.filter((r) => r.status === 'rejected').length;
    if (failed) return { ok, error: failed.reason as Error };
    remaining -= batch;
  }
  return { ok };
}
