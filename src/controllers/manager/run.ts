// Starts a controller manager process: the HTTP endpoint at once, then (under leader
// election when asked) the shared informers and every enabled controller. Losing the lease
// ends the process, as upstream does, so a standby takes over with fresh caches.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { EventRecorder, LeaderElector, RestClient, SharedInformerFactory, type ClientConfig } from '../../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import { isControllerEnabled, unknownControllers } from './enabled.js';
import { createSecureServer, listen, type SecureServingOptions } from '../../client/serving/secure-server.js';
import { managerHandler } from './http-server.js';
import { serviceAccountClientBuilder, simpleClientBuilder, type ClientBuilder } from './service-account-clients.js';
import { ControllerMetrics } from './metrics.js';
import type { ManagerOptions } from './options.js';
import type { ControllerRegistry } from './registry.js';

export interface LeaderElectionOptions {
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  resourceName: string;
  resourceNamespace: string;
}

export interface RunManagerOptions {
  clientConfig: ClientConfig;
  options: ManagerOptions;
  registry: ControllerRegistry;
  leaderElection: LeaderElectionOptions;
  /** HTTPS and delegated authn/authz of the secure port. */
  serving: SecureServingOptions;
  bindAddress: string;
  /** 0 picks a free port; negative disables the endpoint. */
  port: number;
  qps: number;
  burst: number;
  /** --use-service-account-credentials: each controller as kube-system/NAME (service-account-clients.ts). */
  useServiceAccountCredentials?: boolean;
  log?: (msg: string) => void;
  onLostLeadership?: () => void;
}

export interface RunningManager {
  address?: AddressInfo;
  enabled: string[];
  isLeader(): boolean;
  stop(): Promise<void>;
}

/** The controllers --controllers turns on, in registration order; throws on unknown names. */
export function enabledControllers(registry: ControllerRegistry, flags: readonly string[]): string[] {
  const normalized = registry.normalize(flags);
  const unknown = unknownControllers(registry.names(), normalized);
  if (unknown.length) throw new Error(`"${unknown[0].replace(/^-/, '')}" is not in the list of known controllers`);
  const off = registry.disabledByDefault();
  return registry.names().filter((n) => isControllerEnabled(n, off, normalized));
}

export async function runControllerManager(o: RunManagerOptions): Promise<RunningManager> {
  const log = o.log ?? ((m: string) => process.stderr.write(`controller-manager: ${m}\n`));
  const enabled = enabledControllers(o.registry, o.options.controllers);
  const client = new RestClient({ ...o.clientConfig, qps: o.qps, burst: o.burst, userAgent: 'tskube-controller-manager' });
  const metrics = new ControllerMetrics();
  let leading = false;
  const abort = new AbortController();
  const server = o.port >= 0 ? await createSecureServer(o.serving, managerHandler(metrics, { leading: () => leading, controllers: () => enabled })) : undefined;
  const address = server ? await listen(server, o.bindAddress, o.port) : undefined;
  if (address) log(`serving healthz and metrics on https://${address.address}:${address.port}`);
  log(`enabled controllers: ${enabled.join(', ')}`);

  const recorders = new Map<string, EventRecorder>();
  let factory: SharedInformerFactory | undefined;
  let running: Promise<unknown> | undefined;

  const userAgent = 'tskube-controller-manager';
  const builder: ClientBuilder = o.useServiceAccountCredentials
    ? serviceAccountClientBuilder(client, { ...o.clientConfig, qps: o.qps, burst: o.burst }, userAgent, log)
    : simpleClientBuilder(client);

  const start = async (signal: AbortSignal) => {
    factory = new SharedInformerFactory(client, { log });
    const informers = factory;
    // Each controller gets its own client (and event recorder on it); informers are shared.
    const contextFor = (own: RestClient): ControllerContext => ({
      client: own, informers, options: o.options, metrics,
      log: (m) => log(m),
      recorder: (component) => {
        const key = own === client ? component : `${component}@${own.config.userAgent}`;
        let r = recorders.get(key);
        if (!r) recorders.set(key, (r = new EventRecorder(own, { component, log })));
        return r;
      },
    });
    const clients = await Promise.all(enabled.map((name) => builder.clientFor(name, signal).catch((err) => {
      log(`error getting a client for ${name}: ${(err as Error).message}`);
      return undefined;
    })));
    if (signal.aborted) return;
    const controllers: Controller[] = [];
    enabled.forEach((name, i) => {
      const own = clients[i];
      if (!own) return;
      try {
        controllers.push(o.registry.all().find((r) => r.name === name)!.factory(contextFor(own)));
      } catch (err) {
        log(`error starting ${name}: ${(err as Error).message}`);
      }
    });
    informers.start();
    running = Promise.all(controllers.map((c) => c.run(signal).catch((err) => log(`${c.name} stopped: ${(err as Error).stack ?? err}`))));
    log(`started ${controllers.length} controllers${o.useServiceAccountCredentials ? ' (each with its own service account credentials)' : ''}`);
  };
  const starting: Promise<void>[] = [];
  const begin = (signal: AbortSignal) => { starting.push(start(signal).catch((err) => log(`starting controllers: ${(err as Error).stack ?? err}`))); };

  let elector: LeaderElector | undefined;
  let electing: Promise<void> | undefined;
  const le = o.leaderElection;
  if (le.leaderElect) {
    const identity = `${os.hostname()}_${randomUUID()}`;
    elector = new LeaderElector({
      client, namespace: le.resourceNamespace, name: le.resourceName, identity,
      leaseDurationMs: le.leaseDurationMs, renewDeadlineMs: le.renewDeadlineMs, retryPeriodMs: le.retryPeriodMs,
      releaseOnCancel: true, log,
      callbacks: {
        onStartedLeading: (signal) => { leading = true; metrics.leader.set({ name: le.resourceName }, 1); log(`${identity} became leader`); begin(signal); },
        onStoppedLeading: () => {
          const was = leading;
          leading = false;
          metrics.leader.set({ name: le.resourceName }, 0);
          if (was && !abort.signal.aborted) { log('leaderelection lost'); o.onLostLeadership?.(); }
        },
        onNewLeader: (id) => { if (id !== identity) log(`new leader elected: ${id}`); },
      },
    });
    electing = elector.run(abort.signal);
  } else {
    leading = true;
    begin(abort.signal);
  }

  return {
    address, enabled,
    isLeader: () => leading,
    async stop() {
      abort.abort();
      await electing;
      await Promise.all(starting);
      await running;
      await factory?.shutdown();
      await Promise.all([...recorders.values()].map((r) => r.shutdown()));
      server?.close();
      builder.close();
      client.close();
    },
  };
}
