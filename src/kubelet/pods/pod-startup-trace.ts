// Where a pod's first start spends its time inside the kubelet, as upstream's pod startup
// latency tracker logs it ("Observed pod startup duration") once a pod is first seen
// Running: the worker's steps (volumes, sandbox with the CNI setup and its status, container
// environment, image check, create, start and the container's status, status write), each in
// ms — volumes, sandbox and the first image check overlap, the rest follow in turn — plus the
// epoch ms at which the kubelet first saw the pod and at which the API server took the
// Running status, so a benchmark can split creation → Running into API/watch delivery,
// kubelet steps and runtime calls.

export type StartupStep = 'volumes' | 'sandbox' | 'sandboxStatus' | 'env' | 'image' | 'create' | 'start' | 'containerStatus' | 'statusWrite';

export class PodStartupTrace {
  readonly seenAt = Date.now();
  private readonly steps = new Map<StartupStep, number>();
  private done = false;

  /** Times one step (repeated steps add up: a pod with several containers). */
  async step<T>(name: StartupStep, fn: () => Promise<T>): Promise<T> {
    if (this.done) return fn();
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.steps.set(name, (this.steps.get(name) ?? 0) + performance.now() - t0);
    }
  }

  /** The log line, once: the first time the pod's Running status was written. */
  finish(): string | undefined {
    if (this.done) return undefined;
    this.done = true;
    const now = Date.now();
    const parts = [...this.steps].map(([k, v]) => `${k}=${v.toFixed(1)}ms`).join(' ');
    return `seenAt=${this.seenAt} runningWrittenAt=${now} kubeletDuration=${now - this.seenAt}ms ${parts}`;
  }
}
