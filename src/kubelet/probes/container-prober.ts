// The probe loops of one running container: startup first; once it passed, liveness and
// readiness, each every periodSeconds after initialDelaySeconds, with success/failure
// thresholds. Verdict changes go to the pod worker through callbacks.
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import { runProbe } from './probe-registry.js';
import { recordProbe } from './probe-metrics.js';
import type { ProbeTarget } from './probe-handler.js';

export type ProbeKind = 'Liveness' | 'Readiness' | 'Startup';

export interface ProberCallbacks {
  /** Readiness changed. */
  onReady(ready: boolean): void;
  /** Startup probe passed (or there is none). */
  onStarted(): void;
  /** Liveness or startup failed failureThreshold times: the container must be restarted. */
  onUnhealthy(kind: ProbeKind, output: string): void;
  /** Every failed attempt, for the Unhealthy event. */
  onFailure(kind: ProbeKind, output: string): void;
}

class ProbeLoop {
  private timer?: NodeJS.Timeout;
  private successes = 0;
  private failures = 0;
  private stopped = false;

  constructor(readonly kind: ProbeKind, private readonly probe: Probe, private readonly target: ProbeTarget,
    private readonly verdict: (ok: boolean, output: string) => void, private readonly onFail: (output: string) => void) {}

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    const t0 = performance.now();
    const r = await runProbe(this.probe, this.target);
    if (this.stopped) return;
    if (this.target.labels) recordProbe(this.target.labels, this.kind, r.ok, (performance.now() - t0) / 1000);
    if (r.ok) {
      this.failures = 0;
      if (++this.successes >= (this.probe.successThreshold ?? 1)) this.verdict(true, '');
    } else {
      this.successes = 0;
      this.onFail(r.output ?? '');
      if (++this.failures >= (this.probe.failureThreshold ?? 3)) this.verdict(false, r.output ?? '');
    }
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

export class ContainerProber {
  private loops: ProbeLoop[] = [];
  private started = false;

  constructor(private readonly spec: Container, private readonly target: ProbeTarget, private readonly cb: ProberCallbacks) {}

  start(): void {
    if (this.spec.startupProbe) {
      const loop = new ProbeLoop('Startup', this.spec.startupProbe, this.target, (ok, out) => {
        if (ok && !this.started) {
          loop.stop();
          this.afterStartup();
        } else if (!ok) {
          loop.stop();
          this.cb.onUnhealthy('Startup', out);
        }
      }, (out) => this.cb.onFailure('Startup', out));
      this.loops.push(loop);
      loop.start();
    } else {
      this.afterStartup();
    }
  }

  private afterStartup(): void {
    this.started = true;
    this.cb.onStarted();
    if (this.spec.readinessProbe) {
      const loop = new ProbeLoop('Readiness', this.spec.readinessProbe, this.target, (ok) => this.cb.onReady(ok), (out) => this.cb.onFailure('Readiness', out));
      this.loops.push(loop);
      loop.start();
    } else {
      this.cb.onReady(true);
    }
    if (this.spec.livenessProbe) {
      const loop = new ProbeLoop('Liveness', this.spec.livenessProbe, this.target, (ok, out) => {
        if (!ok) { loop.stop(); this.cb.onUnhealthy('Liveness', out); }
      }, (out) => this.cb.onFailure('Liveness', out));
      this.loops.push(loop);
      loop.start();
    }
  }

  stop(): void {
    for (const l of this.loops) l.stop();
    this.loops = [];
  }
}
