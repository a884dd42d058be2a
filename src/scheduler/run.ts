// Starts a scheduler process: informers, the HTTP endpoint, and — under leader election,
// when asked — the scheduling loop. Losing the lease ends the process (as upstream), so a
// standby instance takes over with a fresh cache.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { RestClient } from '../client/rest-client.js';
import type { ClientConfig } from '../client/client-config.js';
import { LeaderElector } from '../client/leader-election.js';
import type { KubeSchedulerConfiguration } from './config/types.js';
import { parseDuration } from './config/duration.js';
import { Scheduler } from './scheduler.js';
import { createSecureServer, listen, type SecureServingOptions } from '../client/serving/secure-server.js';
import { schedulerHandler } from './server/http-server.js';

export interface RunOptions {
  clientConfig: ClientConfig;
  config: KubeSchedulerConfiguration;
  /** HTTPS and delegated authn/authz of the secure port. */
  serving: SecureServingOptions;
  bindAddress: string;
  /** 0 picks a free port; negative disables the endpoint. */
  port: number;
  verbosity?: number;
  log?: (msg: string) => void;
  /** Called when leadership is lost (the CLI exits). */
  onLostLeadership?: () => void;
}

export interface RunningScheduler {
  address?: AddressInfo;
  scheduler: Scheduler;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function runScheduler(o: RunOptions): Promise<RunningScheduler> {
  const log = o.log ?? ((m: string) => process.stderr.write(`scheduler: ${m}\n`));
  const cc = o.config.clientConnection ?? {};
  const limits = { qps: cc.qps ?? o.clientConfig.qps ?? 50, burst: cc.burst ?? o.clientConfig.burst ?? 100, userAgent: 'tskube-scheduler' };
  const client = new RestClient({ ...o.clientConfig, ...limits });
  // Events get their own client and rate limit, as upstream's kube-scheduler does.
  const eventClient = new RestClient({ ...o.clientConfig, ...limits });
  const scheduler = new Scheduler({ client, eventClient, config: o.config, log, verbosity: o.verbosity });
  const le = o.config.leaderElection ?? {};
  let leading = !le.leaderElect;
  const abort = new AbortController();
  const server = o.port >= 0 ? await createSecureServer(o.serving, schedulerHandler({ scheduler: () => scheduler, leading: () => leading })) : undefined;
  const address = server ? await listen(server, o.bindAddress, o.port) : undefined;
  if (address) log(`serving healthz, metrics and debug/explain on https://${address.address}:${address.port}`);
  await scheduler.startInformers(abort.signal);
  log(`caches synced: ${scheduler.cache.nodeCount} nodes; profiles ${[...scheduler.frameworks.keys()].join(', ')}`);
  if (o.config.parallelism !== undefined && o.config.parallelism !== 16) {
    log(`parallelism ${o.config.parallelism} accepted but has no effect: Filter and Score run on one JavaScript thread (bindings and API writes overlap)`);
  }
  let elector: LeaderElector | undefined;
  let electing: Promise<void> | undefined;
  if (le.leaderElect) {
    const identity = `${os.hostname()}_${randomUUID()}`;
    elector = new LeaderElector({
      client, namespace: le.resourceNamespace ?? 'kube-system', name: le.resourceName ?? 'kube-scheduler', identity,
      leaseDurationMs: parseDuration(le.leaseDuration ?? '15s'), renewDeadlineMs: parseDuration(le.renewDeadline ?? '10s'), retryPeriodMs: parseDuration(le.retryPeriod ?? '2s'),
      releaseOnCancel: true, log,
      callbacks: {
        onStartedLeading: () => { leading = true; log(`${identity} is the leader; scheduling`); scheduler.run(); },
        onStoppedLeading: () => {
          const was = leading;
          leading = false;
          if (was && !abort.signal.aborted) { log('leaderelection lost'); o.onLostLeadership?.(); }
        },
      },
    });
    electing = elector.run(abort.signal).catch((err) => log(`leader election: ${(err as Error).message}`));
  } else {
    scheduler.run();
  }
  return {
    address, scheduler,
    isLeader: () => leading,
    async stop() {
      abort.abort();
      await electing;
      await scheduler.stop();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server?.closeAllConnections();
      client.close();
      eventClient.close();
    },
  };
}
