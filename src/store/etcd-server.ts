// One tskube etcd member: opens the store in the data dir, starts the lease keeper, auth,
// alarms and auto-compaction, and serves gRPC + HTTP on every client URL.
import { createServer as createHttpServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { AuthStore } from './auth/auth-store.js';
import { LeaseKeeper } from './lease/lease-keeper.js';
import { MvccStore } from './mvcc/mvcc-store.js';
import { AlarmStore } from './server/alarm-store.js';
import { AuthGate } from './server/auth-gate.js';
import { authServiceHandlers } from './server/auth-service.js';
import { AutoCompactor } from './server/auto-compactor.js';
import { listenClientUrl, type ClientListener } from './server/client-listener.js';
import { clusterService } from './server/cluster-service.js';
import { DirectUnary } from './server/direct-unary.js';
import type { EtcdConfig } from './server/etcd-config.js';
import { httpHandler, loadV2Handler } from './server/http-handler.js';
import { IdleGc } from './server/idle-gc.js';
import { kvService } from './server/kv-service.js';
import { leaseService } from './server/lease-service.js';
import { createLogger, type Logger } from './server/log.js';
import { maintenanceService } from './server/maintenance-service.js';
import { loadMemberIdentity, memberIdHex } from './server/member-identity.js';
import { ServerMetrics } from './server/metrics.js';
import { serviceDefinition } from './server/proto.js';
import { ServerContext, type MetaStore } from './server/server-context.js';
import { watchService } from './server/watch-service.js';

/** room above --max-request-bytes so oversized requests reach us and get etcd's message */
const GRPC_OVERHEAD_BYTES = 512 * 1024;

export interface EtcdServer {
  /** the bound address of each client URL, in flag order */
  clientAddresses: { url: string; host: string; port: number }[];
  context: ServerContext;
  close(): Promise<void>;
}

export async function startEtcdServer(config: EtcdConfig, log: Logger = createLogger('etcd', config.logLevel)): Promise<EtcdServer> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  log.info(`opening data dir ${config.dataDir}`);
  const store: MvccStore & MetaStore = await MvccStore.open({ dataDir: config.dataDir, log: (l) => log.info(l), snapshotCount: config.snapshotCount });
  const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((e) => log.warn(`close: ${String(e)}`));
  };
  try {
    const lessor = new LeaseKeeper(store, { log: (l) => log.info(l) });
    lessor.start();
    cleanups.push(() => lessor.stop());

    const member = await loadMemberIdentity(store.meta, {
      name: config.name,
      peerURLs: config.initialAdvertisePeerUrls,
      clientURLs: config.advertiseClientUrls,
    });
    const alarms = AlarmStore.load(store.meta);
    const authStore = AuthStore.load(store);
    const metrics = new ServerMetrics(store, memberIdHex(member.memberId), config.quotaBackendBytes);
    const idleGc = new IdleGc();
    idleGc.start();
    cleanups.push(() => idleGc.stop());
    store.backend.onCommit = (seconds, writes) => {
      metrics.commitDuration.observe(seconds);
      metrics.walFsyncDuration.observe(seconds);
      idleGc.wrote(writes);
    };
    const ctx = new ServerContext(store, lessor, member, alarms, new AuthGate(authStore), config, log, metrics);
    log.info(
      `member ${memberIdHex(member.memberId)} "${member.name}" of cluster ${memberIdHex(member.clusterId)} at revision ${store.currentRevision}, raft term ${member.raftTerm}`,
    );
    for (const a of alarms.list()) log.warn(`alarm ${a.alarm} is active (member ${a.memberID.toString(16)})`);

    const maxReceive = config.maxRequestBytes + GRPC_OVERHEAD_BYTES;
    const grpcServer = new grpc.Server({
      'grpc.max_receive_message_length': maxReceive,
      'grpc.max_send_message_length': -1,
      // channelz counts every call on every session; nothing here reads it
      'grpc.enable_channelz': 0,
    });
    // the hot unary calls skip grpc-js (direct-unary.ts); it still serves the rest
    const direct = new DirectUnary(maxReceive);
    for (const [name, impl] of [
      ['KV', kvService(ctx)],
      ['Lease', leaseService(ctx)],
    ] as const) {
      grpcServer.addService(serviceDefinition(name), impl);
      direct.add(serviceDefinition(name), impl);
    }
    direct.install(grpcServer);
    grpcServer.addService(serviceDefinition('Watch'), watchService(ctx));
    grpcServer.addService(serviceDefinition('Cluster'), clusterService(ctx));
    grpcServer.addService(serviceDefinition('Maintenance'), maintenanceService(ctx));
    grpcServer.addService(serviceDefinition('Auth'), authServiceHandlers(authStore, () => ctx.header()));
    const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    cleanups.push(() => {
      injector.drain(1000);
      injector.destroy();
      grpcServer.forceShutdown();
    });

    const v2 = config.enableV2
      ? await loadV2Handler({
          store,
          member: { id: member.memberId, name: member.name, peerURLs: member.peerURLs, clientURLs: member.clientURLs },
          clusterId: member.clusterId,
          log: (l) => log.info(l),
        })
      : undefined;
    if (config.enableV2 && !v2) log.warn('v2 keys API is not available in this build');
    const http = createHttpServer(httpHandler(ctx, v2));
    cleanups.push(() => {
      http.closeAllConnections();
      http.close();
    });

    const compactor = new AutoCompactor(store, { mode: config.autoCompactionMode, retention: config.autoCompactionRetention }, log);
    compactor.start();
    cleanups.push(() => compactor.stop());

    const tlsFiles =
      config.certFile && config.keyFile
        ? { certFile: config.certFile, keyFile: config.keyFile, trustedCaFile: config.trustedCaFile, clientCertAuth: config.clientCertAuth }
        : undefined;
    const listeners: ClientListener[] = [];
    cleanups.push(async () => {
      await Promise.all(listeners.map((l) => l.close()));
    });
    for (const url of config.listenClientUrls) {
      const l = await listenClientUrl(url, {
        grpc: injector,
        http,
        tls: url.protocol === 'https:' ? tlsFiles : undefined,
        log,
        onGrpcSocket: (s) => metrics.trackGrpcSocket(s),
      });
      listeners.push(l);
      const secure = url.protocol === 'https:' ? (config.clientCertAuth ? ' (TLS, client certificates required)' : ' (TLS)') : ' (insecure)';
      log.info(`serving client requests on ${l.address.address.includes(':') ? `[${l.address.address}]` : l.address.address}:${l.address.port}${secure}`);
    }

    let closing: Promise<void> | undefined;
    return {
      clientAddresses: config.listenClientUrls.map((u, i) => ({ url: u.href, host: listeners[i].address.address, port: listeners[i].address.port })),
      context: ctx,
      close: () => (closing ??= closeAll().then(() => log.info('stopped'))),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
