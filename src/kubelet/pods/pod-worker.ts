// One worker per pod, its syncs serialized: set up volumes and the sandbox, run init
// containers in order, then the containers; restart them by restartPolicy with crash-loop
// back-off; run probes and lifecycle hooks; on deletion run preStop hooks and stop every
// container within the grace period, then report the final status and finish the deletion.
import fs from 'node:fs';
import path from 'node:path';
import type { Container, LifecycleHandler, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { type EventRecorder, type EventType, formatTime, isNotFound, type Logger, PODS, type RestClient } from '../../client/index.js';
import { ImageError, type ImageManager } from '../images/image-manager.js';
import { fetchPullSecrets } from '../images/pull-secrets.js';
import { etcHostsPath, podLogDir, terminationMessageFile } from '../kubelet-paths.js';
import { ContainerProber } from '../probes/container-prober.js';
import { runProbe } from '../probes/probe-registry.js';
import type { ProbeTarget } from '../probes/probe-handler.js';
import { podCgroupParent, type PodConfigOptions } from '../runtime/cri/pod-cri-config.js';
import type { ContainerEventListener, Container as RuntimeContainer, PodSandbox, PodSandboxConfig, Runtime } from '../runtime/runtime-service.js';
import { refreshVolumes, setUpVolumes, tearDownVolumes, type VolumeContext } from '../volumes/pod-volumes.js';
import { containerConfig } from './container-config.js';
import { containerEnv } from './container-env.js';
import { containerHash, HASH_ANNOTATION } from './container-hash.js';
import { type ContainerRecord, newRecord } from './container-record.js';
import type { CrashBackoff } from './crash-backoff.js';
import { etcHostsContent } from './etc-hosts.js';
import { PodStartupTrace } from './pod-startup-trace.js';
import type { ServiceLister } from './service-lister.js';
import { removePodCgroup } from './pod-cgroups.js';
import { type PodView, podStatus, terminatedState } from './pod-status.js';
import { isolated, sandboxConfig } from './sandbox-config.js';
import { terminationMessage } from './termination-message.js';
import { jsonEqual } from '../../api/json/json-equal.js';

/** What the runtime still holds for a pod when the kubelet (re)starts: adopted, not recreated. */
export interface LeftoverPod { sandboxes: PodSandbox[]; containers: RuntimeContainer[] }

export interface WorkerContext {
  nodeName: string;
  nodeIP: string;
  rootDir: string;
  runtime: Runtime;
  runtimeName: string;
  client?: RestClient;
  /** The Service cache containers' Service variables come from (absent: standalone, none). */
  services?: ServiceLister;
  recorder?: EventRecorder;
  backoff: CrashBackoff;
  images: ImageManager;
  /** DNS, cgroup root/driver and node memory for the CRI extras. */
  podConfig: PodConfigOptions;
  podLogsDir: string;
  /** Why the runtime's pod network cannot take pods yet (undefined: it can). */
  networkNotReady?(): string | undefined;
  /** Takes what the runtime already runs for this pod UID (after a kubelet restart). */
  adopt?(uid: string): LeftoverPod | undefined;
  podCIDR(): string;
  allocatable(): Record<string, string>;
  /** --sync-frequency: how often a running pod is synced again (its volumes refreshed). */
  syncFrequencyMs?: number;
  /** Hands a computed status to the status manager. */
  publish(pod: Pod, status: PodStatus): Promise<void>;
  /** Called once the worker stopped everything and is done. */
  onDone(worker: PodWorker): void;
  onSandbox(worker: PodWorker, sandboxId: string | undefined): void;
  log: Logger;
  verbosity: number;
}

const fmtBackoff = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${(ms % 60_000) / 1000}s` : `${ms / 1000}s`);

export class PodWorker {
  private view: PodView;
  private sandboxId?: string;
  private sandboxConfig?: PodSandboxConfig;
  private volumes = new Map<string, string>();
  private readonly probers = new Map<string, ContainerProber>();
  private syncing = false;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  /** The periodic sync (upstream's syncFrequency), while the pod runs on a real runtime. */
  private resync?: NodeJS.Timeout;
  private volumesRefreshedAt = 0;
  /** The pod's volumes are set up (the first sync does it beside the sandbox). */
  private volumesReady = false;
  /** Image checks started beside the sandbox on the first sync, by container name; the container's first start takes its own. */
  private readonly prefetched = new Map<string, Promise<void>>();
  private podChanged = false;
  /** The app containers are done for good: sidecars are being stopped and stay stopped. */
  private sidecarsStopping = false;
  private evicting?: { message: string; gracePeriodSeconds: number; condition: boolean };
  private removed = false;
  /** The first start's steps, logged once the pod is Running. */
  private readonly trace = new PodStartupTrace();
  /** Everything stopped (terminal phase or deleted). */
  private finished = false;
  done = false;

  constructor(pod: Pod, private readonly ctx: WorkerContext, readonly fromApi: boolean) {
    const prev = new Map((pod.status?.containerStatuses ?? []).concat(pod.status?.initContainerStatuses ?? []).map((s) => [s.name, s]));
    const rec = (c: Container, init: boolean) => {
      const r = newRecord(c.name, init, !!pod.spec?.initContainers?.length, init && c.restartPolicy === 'Always');
      // a restarted kubelet keeps counting restarts where the reported status left off
      const p = prev.get(c.name);
      if (p) { r.restartCount = p.restartCount ?? 0; if (p.lastState?.terminated) r.lastTerminated = p.lastState.terminated; }
      return r;
    };
    this.view = {
      pod, init: (pod.spec?.initContainers ?? []).map((c) => rec(c, true)), containers: (pod.spec?.containers ?? []).map((c) => rec(c, false)),
      sandboxReady: false, podIPs: [], hostIP: ctx.nodeIP, startTime: pod.status?.startTime ?? formatTime(), runtimeName: ctx.runtimeName, terminated: false,
    };
  }

  get pod(): Pod { return this.view.pod; }
  /** The pod's sandbox in the runtime, once it has one (port-forward). */
  get podSandboxId(): string | undefined { return this.sandboxId; }
  /** The runtime container now standing for a container of the pod (exec, attach). */
  containerId(name: string): string | undefined {
    return [...this.view.containers, ...this.view.init].find((r) => r.name === name)?.id;
  }
  /** The runtime running this pod, and its running app containers (resource metrics). */
  get runtime(): Runtime { return this.ctx.runtime; }
  runningContainers(): { name: string; id: string; startedAt: number }[] {
    return [...this.view.init.filter((r) => r.sidecar), ...this.view.containers].filter((r) => r.id && r.status?.state === 'CONTAINER_RUNNING').map((r) => ({ name: r.name, id: r.id!, startedAt: r.status!.startedAt }));
  }
  get uid(): string { return this.view.pod.metadata!.uid!; }
  get key(): string { return `${this.view.pod.metadata?.namespace}/${this.view.pod.metadata?.name}`; }
  get isActive(): boolean { return !this.finished && !this.done; }
  get status(): PodStatus | undefined { return this.view.pod.status; }

  update(pod: Pod): void {
    // keep our own latest status: the informer's copy may lag behind what we posted
    // what a downward API volume shows may have changed (our own status writes coming back do not count)
    // (compared in place: encoding spec, labels and annotations of both copies on every
    // watch event was a measurable share of a hollow kubelet's CPU)
    const was = this.view.pod;
    const changed = !jsonEqual(pod.metadata?.labels, was.metadata?.labels) || !jsonEqual(pod.metadata?.annotations, was.metadata?.annotations);
    if (changed) this.podChanged = true;
    // a change of status only (mostly our own write coming back) is nothing to act on, as
    // upstream's pod config does not sync a pod for it: no sync, no CRI call (readiness gates
    // are conditions other components write into the status: such a pod still syncs)
    const act = changed || !!pod.spec?.readinessGates?.length || pod.metadata?.deletionTimestamp !== was.metadata?.deletionTimestamp
      || pod.metadata?.deletionGracePeriodSeconds !== was.metadata?.deletionGracePeriodSeconds || !jsonEqual(pod.spec, was.spec);
    this.view.pod = { ...pod, status: this.view.pod.status };
    if (act) this.kick();
  }

  /** Node-pressure eviction: stop everything within the grace period, then phase Failed, reason Evicted. */
  /** `condition`: add DisruptionTarget (node pressure does; upstream's local storage limits do not). */
  evict(message: string, gracePeriodSeconds: number, condition = true): void {
    if (this.finished || this.done || this.evicting) return;
    this.evicting = { message, gracePeriodSeconds, condition };
    this.event('Warning', 'Evicted', message);
    this.kick();
  }

  /** Kill the pod: its source no longer has it (API delete, static file removed). */
  remove(): void {
    this.removed = true;
    this.kick();
  }

  /** Mark as refused by admission: phase Failed with this reason, nothing runs. */
  reject(reason: string, message: string): void {
    // upstream's rejectPod: a warning event with the reason, the status message prefixed
    this.event('Warning', reason, message);
    this.view.rejected = { reason, message: `Pod was rejected: ${message}` };
    this.finished = true;
    void this.publish();
  }

  /** An event about the pod, or about one of its containers (upstream's GenerateContainerRef: the pod with a fieldPath). */
  private event(type: EventType, reason: string, message: string, container?: Pick<ContainerRecord, 'name' | 'init'>): void {
    const p = this.view.pod;
    const fieldPath = container && `spec.${container.init ? 'initContainers' : 'containers'}{${container.name}}`;
    this.ctx.recorder?.event({
      kind: 'Pod', apiVersion: 'v1', namespace: p.metadata?.namespace, name: p.metadata?.name, uid: p.metadata?.uid, ...(fieldPath ? { fieldPath } : {}),
    }, type, reason, message);
  }

  /**
   * The runtime says a container of this pod started or stopped. The start of a container this
   * worker started itself and already saw running is no news (the worker reads the container's
   * status right after StartContainer and writes the pod's status then): no sync, no CRI call.
   */
  runtimeEvent(e: Parameters<ContainerEventListener>[0]): void {
    if (e.type === 'CONTAINER_STARTED_EVENT'
      && [...this.view.init, ...this.view.containers].some((r) => r.id === e.containerId && r.status?.id === e.containerId && r.status.state === 'CONTAINER_RUNNING')) return;
    this.kick();
  }

  kick(): void {
    if (this.ctx.verbosity >= 5) this.ctx.log(`kubelet: kick ${this.key} syncing=${this.syncing} done=${this.done}`);
    if (this.done) return;
    if (this.syncing) { this.dirty = true; return; }
    this.syncing = true;
    void (async () => {
      do {
        this.dirty = false;
        try {
          await this.syncOnce();
        } catch (err) {
          this.ctx.log(`kubelet: error syncing pod ${this.key} (${this.uid}): ${(err as Error).stack ?? err}`);
          this.later(5000);
        }
      } while (this.dirty && !this.done);
      this.syncing = false;
    })();
  }

  private later(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), ms);
  }

  private spec(r: ContainerRecord): Container {
    return (r.init ? this.view.pod.spec?.initContainers : this.view.pod.spec?.containers)!.find((c) => c.name === r.name)!;
  }

  private async refresh(): Promise<void> {
    const real = isolated(this.ctx.runtime.traits);
    for (const r of [...this.view.init, ...this.view.containers]) {
      if (!r.id) continue;
      const before = r.status;
      try { r.status = { ...(await this.ctx.runtime.containerStatus(r.id)) }; } catch { r.id = undefined; continue; }
      const s = r.status;
      if (real && s.state === 'CONTAINER_EXITED' && !s.message) {
        // read once per exit: the file written at terminationMessagePath, or the log's tail
        s.message = before?.id === s.id && before.state === 'CONTAINER_EXITED' ? before.message
          : terminationMessage(this.spec(r), terminationMessageFile(this.ctx.rootDir, this.uid, r.name, s.metadata.attempt), s.exitCode, s.logPath || undefined);
      }
    }
  }

  private async publish(): Promise<void> {
    const status = podStatus(this.view);
    this.view.pod = { ...this.view.pod, status };
    if (status.phase !== 'Running') return this.ctx.publish(this.view.pod, status);
    await this.trace.step('statusWrite', () => this.ctx.publish(this.view.pod, status));
    const line = this.trace.finish();
    if (line && this.ctx.verbosity >= 2) this.ctx.log(`kubelet: observed pod startup duration pod=${this.key} ${line}`);
  }

  private async syncOnce(): Promise<void> {
    const pod = this.view.pod;
    if (this.removed || pod.metadata?.deletionTimestamp) return this.terminate();
    if (this.finished) { await this.publish(); return; }
    if (this.evicting) return this.evictNow(this.evicting);
    if (!this.sandboxId || !this.volumesReady) {
      if (!(await this.createSandbox())) return;
    } else {
      await this.remountVolumes();
    }
    await this.refresh();
    if (await this.syncInitContainers()) await this.syncContainers();
    if (this.appContainersDone() && this.view.init.some((r) => r.sidecar && r.id && r.status?.state !== 'CONTAINER_EXITED')) await this.stopSidecars();
    await this.publish();
    const phase = this.view.pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') await this.finish();
  }

  private volumeContext(): VolumeContext {
    return { rootDir: this.ctx.rootDir, client: this.ctx.client, allocatable: this.ctx.allocatable(), warn: (r, m) => this.event('Warning', r, m) };
  }

  /** configMap, secret, downwardAPI and projected volumes again: on a pod change or once per sync period. */
  private async remountVolumes(): Promise<void> {
    const every = this.ctx.syncFrequencyMs ?? 60_000;
    if (this.ctx.runtime.traits.simulated || (!this.podChanged && Date.now() - this.volumesRefreshedAt < every)) return;
    this.podChanged = false;
    this.volumesRefreshedAt = Date.now();
    await refreshVolumes(this.view.pod, this.volumeContext());
  }

  /**
   * The first sync: volumes, the sandbox (with the pod network) and the image check of the
   * containers that start first depend on each other in nothing, so they run together; the
   * containers wait for all three. A failed half is retried alone on the next sync.
   */
  private async createSandbox(): Promise<boolean> {
    const pod = this.view.pod;
    const { runtime } = this.ctx;
    const netErr = pod.spec?.hostNetwork || runtime.traits.hostNetworkOnly ? undefined : this.ctx.networkNotReady?.();
    if (netErr) {
      this.event('Warning', 'NetworkNotReady', `network is not ready: ${netErr}`);
      await this.publish();
      this.later(2000);
      return false;
    }
    const [mounted, sandbox] = await Promise.allSettled([this.mountVolumes(), this.sandboxId ? Promise.resolve() : this.runSandbox()]);
    if (sandbox.status === 'rejected') throw sandbox.reason;
    return mounted.status === 'fulfilled' && mounted.value;
  }

  private async mountVolumes(): Promise<boolean> {
    if (this.volumesReady) return true;
    if (!this.ctx.runtime.traits.simulated) {
      try {
        this.volumes = await this.trace.step('volumes', () => setUpVolumes(this.view.pod, this.volumeContext()));
      } catch (err) {
        this.event('Warning', 'FailedMount', (err as Error).message);
        await this.publish();
        this.later(10_000);
        return false;
      }
      this.volumesRefreshedAt = Date.now();
      this.podChanged = false;
      clearInterval(this.resync);
      this.resync = setInterval(() => this.kick(), this.ctx.syncFrequencyMs ?? 60_000);
    }
    this.volumesReady = true;
    return true;
  }

  private async runSandbox(): Promise<void> {
    const pod = this.view.pod;
    const { runtime } = this.ctx;
    const cfgCtx = { nodeName: this.ctx.nodeName, traits: runtime.traits, podLogsDir: this.ctx.podLogsDir, podCIDR: this.ctx.podCIDR(), podConfig: this.ctx.podConfig };
    let attempt = 0;
    const left = this.ctx.adopt?.(this.uid);
    for (const sb of (left?.sandboxes ?? []).sort((a, b) => b.createdAt - a.createdAt)) {
      if (!this.sandboxId && sb.state === 'SANDBOX_READY') {
        this.sandboxConfig = sandboxConfig(pod, cfgCtx, sb.metadata.attempt);
        this.sandboxId = sb.id;
        this.adoptContainers(left!.containers.filter((c) => c.podSandboxId === sb.id));
        this.ctx.log(`kubelet: pod ${this.key} adopted running sandbox ${sb.id.slice(0, 13)}`);
        continue;
      }
      // a dead sandbox (or a second one) is not reused: remove it, start the next attempt
      attempt = Math.max(attempt, sb.metadata.attempt + 1);
      if (sb.id !== this.sandboxId) {
        await runtime.stopPodSandbox(sb.id).catch(() => undefined);
        await runtime.removePodSandbox(sb.id).catch(() => undefined);
      }
    }
    if (!this.sandboxId) {
      const config = this.sandboxConfig = sandboxConfig(pod, cfgCtx, attempt);
      // nothing was adopted: the first containers' images are checked (or pulled) meanwhile
      this.prefetchImages();
      this.sandboxId = await this.trace.step('sandbox', () => runtime.runPodSandbox(config));
    }
    this.ctx.onSandbox(this, this.sandboxId);
    const id = this.sandboxId;
    const st = await this.trace.step('sandboxStatus', () => runtime.podSandboxStatus(id));
    this.view.sandboxReady = st.state === 'SANDBOX_READY';
    this.view.podIPs = this.sandboxConfig!.hostNetwork ? [this.ctx.nodeIP] : st.ips;
    if (isolated(runtime.traits) && !this.sandboxConfig!.hostNetwork) {
      const file = etcHostsPath(this.ctx.rootDir, this.uid);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, etcHostsContent(pod, this.view.podIPs, this.ctx.podConfig.clusterDomain ?? ''), { mode: 0o644 });
    }
  }

  /** Starts the image check of what the first sync starts: the first init container, or else every app container. */
  private prefetchImages(): void {
    const first = this.view.init.length ? this.view.init.slice(0, 1) : this.view.containers;
    for (const r of first) {
      if (r.id || this.prefetched.has(r.name)) continue;
      const p = this.checkImage(this.view.pod, this.spec(r), r);
      p.catch(() => undefined); // its error is the container's, reported when it is started
      this.prefetched.set(r.name, p);
    }
  }

  /** Pull secrets, then the image by its pull policy; throws an ImageError. */
  private async checkImage(pod: Pod, spec: Container, r: ContainerRecord): Promise<void> {
    const secrets = pod.spec?.imagePullSecrets?.length
      ? await fetchPullSecrets(this.ctx.client, pod, (msg) => this.event('Warning', 'FailedToRetrieveImagePullSecret', msg)) : [];
    await this.ctx.images.ensureImageExists(pod, spec, secrets, this.sandboxConfig, (t, reason, msg) => this.event(t, reason, msg, r));
  }

  /** Takes over the newest container of each name in an adopted sandbox; its probes start again. */
  private adoptContainers(list: RuntimeContainer[]): void {
    for (const r of [...this.view.init, ...this.view.containers]) {
      const mine = list.filter((c) => c.labels['io.kubernetes.container.name'] === r.name).sort((a, b) => b.metadata.attempt - a.metadata.attempt);
      const c = mine[0];
      if (!c) continue;
      r.id = c.id;
      r.waiting = undefined;
      r.restartCount = Math.max(r.restartCount, c.metadata.attempt);
      if (c.state === 'CONTAINER_RUNNING') {
        if (r.init && !r.sidecar) r.started = true;
        else this.startProber(r, c.id, this.spec(r));
      }
    }
  }

  /**
   * True once every init container ran: the regular ones one at a time to success, each
   * sidecar (restartPolicy Always) started — its startup probe passed — before the next
   * begins. Sidecars are restarted whenever they exit, whatever the pod's restartPolicy.
   */
  private async syncInitContainers(): Promise<boolean> {
    const initialized = !!this.view.initialized;
    for (const r of this.view.init) {
      const s = r.status;
      if (r.sidecar) {
        if (this.sidecarsStopping) continue;
        if (!r.id || (r.waiting && r.waiting.reason !== 'CrashLoopBackOff' && !s)) await this.startContainer(r);
        else if (s?.state === 'CONTAINER_EXITED') await this.restart(r);
        else if (await this.replaceChanged(r)) { /* its image changed: started again */ }
        if (!initialized && !(r.id && r.started && r.status?.state === 'CONTAINER_RUNNING')) return false;
        continue;
      }
      if (initialized) continue; // regular init containers run once
      if (s?.state === 'CONTAINER_EXITED' && s.exitCode === 0 && !r.waiting) continue;
      if (!r.id || (r.waiting && r.waiting.reason !== 'CrashLoopBackOff' && !s)) { await this.startContainer(r); return false; }
      if (s?.state !== 'CONTAINER_EXITED') return false;
      if ((this.view.pod.spec?.restartPolicy ?? 'Always') === 'Never') return false; // the pod failed
      await this.restart(r);
      return false;
    }
    this.view.initialized = true;
    return true;
  }

  /** Every app container exited and will not run again (restartPolicy Never, or OnFailure after success). */
  private appContainersDone(): boolean {
    const policy = this.view.pod.spec?.restartPolicy ?? 'Always';
    return !!this.view.initialized && this.view.containers.length > 0 && policy !== 'Always'
      && this.view.containers.every((r) => r.status?.state === 'CONTAINER_EXITED' && !r.waiting && (policy === 'Never' || r.status.exitCode === 0));
  }

  /** The app containers are done: stop the sidecars, the last one first, as upstream. */
  private async stopSidecars(): Promise<void> {
    this.sidecarsStopping = true;
    const deadline = Date.now() + (this.view.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    for (const r of [...this.view.init].reverse()) if (r.sidecar) await this.stopGracefully(r, deadline);
    await this.refresh();
  }

  /**
   * A running container whose spec changed (its image: the hash differs from the one it was
   * created with) is killed and started again at once, as upstream ("definition changed").
   */
  private async replaceChanged(r: ContainerRecord): Promise<boolean> {
    const spec = this.spec(r);
    const had = r.status?.annotations?.[HASH_ANNOTATION];
    if (!r.id || r.status?.state !== 'CONTAINER_RUNNING' || !had || had === containerHash(spec)) return false;
    this.ctx.log(`kubelet: pod ${this.key} container ${r.name} definition changed (image ${spec.image}), restarting it`);
    await this.stopGracefully(r, Date.now() + (this.view.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000, `Container ${r.name} definition changed, will be restarted`);
    const old = r.id;
    r.status = { ...(await this.ctx.runtime.containerStatus(old)) };
    r.lastTerminated = terminatedState(this.view, r.status);
    r.restartCount++;
    r.id = undefined;
    await this.startContainer(r);
    await this.ctx.runtime.removeContainer(old).catch(() => undefined);
    return true;
  }

  /** preStop hook, then StopContainer (SIGTERM, SIGKILL at the deadline). */
  private async stopGracefully(r: ContainerRecord, deadline: number, why = `Stopping container ${r.name}`): Promise<void> {
    if (!r.id || r.status?.state === 'CONTAINER_EXITED') { r.waiting = r.waiting && r.status ? undefined : r.waiting; return; }
    const spec = this.spec(r);
    this.probers.get(r.name)?.stop();
    this.event('Normal', 'Killing', why, r);
    if (spec.lifecycle?.preStop) {
      await Promise.race([this.hook(spec.lifecycle.preStop, r.id, spec), new Promise((res) => setTimeout(res, Math.max(0, deadline - Date.now())))]);
    }
    await this.ctx.runtime.stopContainer(r.id, Math.max(2, Math.ceil((deadline - Date.now()) / 1000)));
    r.waiting = undefined;
  }

  private async syncContainers(): Promise<void> {
    const policy = this.view.pod.spec?.restartPolicy ?? 'Always';
    for (const r of this.view.containers) {
      const s = r.status;
      if (!r.id) { await this.startContainer(r); continue; }
      if (await this.replaceChanged(r)) continue;
      if (s?.state !== 'CONTAINER_EXITED') continue;
      if (policy === 'Always' || (policy === 'OnFailure' && s.exitCode !== 0)) await this.restart(r);
    }
  }

  /** An exited container that must run again: now, or after its back-off. */
  private async restart(r: ContainerRecord): Promise<void> {
    const s = r.status!;
    const key = `${this.uid}/${r.name}`;
    r.lastTerminated = terminatedState(this.view, s);
    const wait = this.ctx.backoff.remaining(key, s.finishedAt);
    if (wait > 0) {
      const m = this.view.pod.metadata!;
      const message = `back-off ${fmtBackoff(this.ctx.backoff.current(key))} restarting failed container=${r.name} pod=${m.name}_${m.namespace}(${m.uid})`;
      if (r.waiting?.reason !== 'CrashLoopBackOff') this.event('Warning', 'BackOff', `Back-off restarting failed container ${r.name} in pod ${m.name}_${m.namespace}(${m.uid})`);
      r.waiting = { reason: 'CrashLoopBackOff', message };
      this.later(wait);
      return;
    }
    this.ctx.backoff.next(key, s.finishedAt);
    r.restartCount++;
    const old = r.id;
    r.id = undefined;
    await this.startContainer(r);
    if (old) await this.ctx.runtime.removeContainer(old).catch(() => undefined);
  }

  private target(id: string, c: Container): ProbeTarget {
    const host = this.ctx.runtime.traits.hostNetworkOnly ? '127.0.0.1' : this.view.podIPs[0] ?? '127.0.0.1';
    const m = this.view.pod.metadata!;
    return {
      runtime: this.ctx.runtime, containerId: id, host, ports: Object.fromEntries((c.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort])),
      labels: { container: c.name, namespace: m.namespace ?? 'default', pod: m.name!, podUID: m.uid! },
    };
  }

  private async startContainer(r: ContainerRecord): Promise<void> {
    const spec = this.spec(r);
    const { runtime } = this.ctx;
    const v = this.view;
    // the downward API's status.podIP/hostIP are known once the sandbox is up, before the first status post
    const pod = { ...v.pod, status: { ...v.pod.status, hostIP: v.hostIP, hostIPs: [{ ip: v.hostIP }], podIP: v.podIPs[0], podIPs: v.podIPs.map((ip) => ({ ip })) } };
    // the image check begun beside the sandbox is this start's, whatever happens below; a later start checks afresh
    const early = this.prefetched.get(r.name);
    this.prefetched.delete(r.name);
    let envs;
    try {
      envs = runtime.traits.simulated
        ? (spec.env ?? []).filter((e) => e.value !== undefined).map((e) => ({ key: e.name, value: e.value! }))
        : await this.trace.step('env', () => containerEnv(pod, spec, this.ctx.client, this.ctx.allocatable(), this.ctx.services, !this.fromApi));
    } catch (err) {
      r.waiting = { reason: 'CreateContainerConfigError', message: (err as Error).message };
      this.event('Warning', 'Failed', `Error: ${(err as Error).message}`, r);
      this.later(10_000);
      return;
    }
    try {
      await this.trace.step('image', () => early ?? this.checkImage(pod, spec, r));
    } catch (err) {
      const e = err instanceof ImageError ? err : new ImageError('ErrImagePull', (err as Error).message, 10_000);
      r.waiting = { reason: e.reason, message: e.message };
      this.event('Warning', 'Failed', `Error: ${e.reason}`, r);
      if (e.retryInMs > 0) this.later(e.retryInMs);
      return;
    }
    let id: string;
    try {
      const config = containerConfig({
        pod, spec, attempt: r.restartCount, envs, volumes: this.volumes, rootDir: this.ctx.rootDir, traits: runtime.traits, podConfig: this.ctx.podConfig,
      });
      id = await this.trace.step('create', () => runtime.createContainer(this.sandboxId!, config, this.sandboxConfig!));
    } catch (err) {
      r.waiting = { reason: 'CreateContainerError', message: (err as Error).message };
      this.event('Warning', 'Failed', `Error: ${(err as Error).message}`, r);
      this.later(10_000);
      return;
    }
    this.event('Normal', 'Created', `Created container ${r.name}`, r);
    r.id = id;
    r.ready = false;
    r.started = false;
    try {
      await this.trace.step('start', () => runtime.startContainer(id));
    } catch (err) {
      r.waiting = { reason: 'RunContainerError', message: (err as Error).message };
      this.event('Warning', 'Failed', `Error: ${(err as Error).message}`, r);
      return;
    }
    r.waiting = undefined;
    r.status = { ...(await this.trace.step('containerStatus', () => runtime.containerStatus(id))) };
    this.event('Normal', 'Started', `Started container ${r.name}`, r);
    if (spec.lifecycle?.postStart && !(await this.hook(spec.lifecycle.postStart, id, spec))) {
      this.event('Warning', 'FailedPostStartHook', `PostStartHook failed`, r);
      await runtime.stopContainer(id, this.view.pod.spec?.terminationGracePeriodSeconds ?? 30);
      return;
    }
    if (!r.init || r.sidecar) this.startProber(r, id, spec);
    else { r.started = true; }
  }

  private async hook(h: LifecycleHandler, id: string, spec: Container): Promise<boolean> {
    if (h.sleep) { await new Promise((res) => setTimeout(res, h.sleep!.seconds * 1000)); return true; }
    const r = await runProbe({ ...h, timeoutSeconds: this.view.pod.spec?.terminationGracePeriodSeconds ?? 30 }, this.target(id, spec));
    return r.ok;
  }

  private startProber(r: ContainerRecord, id: string, spec: Container): void {
    this.probers.get(r.name)?.stop();
    const p = new ContainerProber(spec, this.target(id, spec), {
      onStarted: () => { if (r.id === id) { r.started = true; this.kick(); } },
      onReady: (ok) => { if (r.id === id && r.ready !== ok) { r.ready = ok; this.kick(); } },
      onFailure: (kind, out) => this.event('Warning', 'Unhealthy', `${kind} probe failed: ${out}`, r),
      onUnhealthy: (kind, out) => {
        if (r.id !== id) return;
        this.event('Normal', 'Killing', `Container ${r.name} failed ${kind.toLowerCase()} probe, will be restarted`, r);
        this.ctx.log(`kubelet: pod ${this.key} container ${r.name} failed ${kind.toLowerCase()} probe: ${out}`);
        void this.ctx.runtime.stopContainer(id, spec.livenessProbe?.terminationGracePeriodSeconds ?? this.view.pod.spec?.terminationGracePeriodSeconds ?? 30);
      },
    });
    this.probers.set(r.name, p);
    p.start();
  }

  private stopProbers(): void {
    for (const p of this.probers.values()) p.stop();
    this.probers.clear();
  }

  private async evictNow(e: { message: string; gracePeriodSeconds: number; condition: boolean }): Promise<void> {
    clearTimeout(this.timer);
    this.stopProbers();
    await this.refresh();
    const deadline = Date.now() + e.gracePeriodSeconds * 1000;
    await Promise.all([...this.view.init.filter((r) => !r.sidecar), ...this.view.containers].map((r) => this.stopGracefully(r, deadline)));
    this.sidecarsStopping = true;
    for (const r of [...this.view.init].reverse()) if (r.sidecar) await this.stopGracefully(r, deadline);
    await this.refresh();
    this.view.rejected = { reason: 'Evicted', message: e.message };
    if (e.condition) this.view.disruption = { reason: 'TerminationByKubelet', message: e.message };
    await this.publish();
    await this.finish();
  }

  /** Terminal phase reached: stop what is left, keep the status. */
  private async finish(): Promise<void> {
    this.finished = true;
    this.stopProbers();
    clearTimeout(this.timer);
    clearInterval(this.resync);
    if (this.sandboxId) await this.ctx.runtime.stopPodSandbox(this.sandboxId);
  }

  private async terminate(): Promise<void> {
    const pod = this.view.pod;
    clearTimeout(this.timer);
    clearInterval(this.resync);
    this.stopProbers();
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const deadline = Date.now() + grace * 1000;
    const { runtime } = this.ctx;
    // the app containers (and a running regular init container) together, then the sidecars one by one, last first
    await Promise.all([...this.view.init.filter((r) => !r.sidecar), ...this.view.containers].map((r) => this.stopGracefully(r, deadline)));
    this.sidecarsStopping = true;
    for (const r of [...this.view.init].reverse()) if (r.sidecar) await this.stopGracefully(r, deadline);
    await this.refresh();
    if (this.sandboxId) {
      await runtime.stopPodSandbox(this.sandboxId);
      await runtime.removePodSandbox(this.sandboxId);
      this.ctx.onSandbox(this, undefined);
    }
    // sandboxes left from before a kubelet restart that this worker never adopted
    for (const sb of this.ctx.adopt?.(this.uid)?.sandboxes ?? []) {
      await runtime.stopPodSandbox(sb.id).catch(() => undefined);
      await runtime.removePodSandbox(sb.id).catch(() => undefined);
    }
    if (!runtime.traits.simulated) {
      tearDownVolumes(this.ctx.rootDir, this.uid);
      const m = pod.metadata!;
      fs.rmSync(podLogDir(this.ctx.podLogsDir, m.namespace ?? 'default', m.name!, m.uid!), { recursive: true, force: true });
    }
    if (isolated(runtime.traits) && this.ctx.podConfig.cgroupRoot && (this.ctx.podConfig.cgroupDriver ?? 'cgroupfs') === 'cgroupfs') {
      removePodCgroup(podCgroupParent(pod, this.ctx.podConfig.cgroupRoot));
    }
    this.ctx.images.forgetPod(this.uid);
    this.ctx.backoff.forget(`${this.uid}/`);
    this.view.sandboxReady = false;
    this.view.terminated = true;
    this.done = true;
    this.finished = true;
    if (!this.removed) {
      await this.publish();
      if (this.fromApi && this.ctx.client) {
        const m = pod.metadata!;
        try {
          await this.ctx.client.resource(PODS).delete(m.namespace!, m.name!, { gracePeriodSeconds: 0, preconditions: { uid: m.uid } });
        } catch (err) {
          if (!isNotFound(err)) this.ctx.log(`kubelet: failed to delete pod ${this.key}: ${(err as Error).message}`);
        }
      }
    }
    this.ctx.log(`kubelet: pod ${this.key} (${this.uid}) terminated`);
    this.ctx.onDone(this);
  }
}
