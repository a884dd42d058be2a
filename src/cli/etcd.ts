// `tskube etcd`: flags with etcd's names and defaults; the member itself is store/etcd-server.
import '../store/server/young-generation.js'; // first: caps the heap's young generation
import { Command, InvalidArgumentError, Option } from 'commander';
import { startEtcdServer } from '../store/etcd-server.js';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_QUOTA_BACKEND_BYTES,
  parseDuration,
  parseInitialCluster,
  parseRetention,
  parseUrlList,
  type EtcdConfig,
} from '../store/server/etcd-config.js';
import { createLogger, type LogLevel } from '../store/server/log.js';
import { restoreSnapshot, snapshotStatus } from '../store/snapshot/snapshot.js';

const bool = (flag: string) => (v: string) => {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidArgumentError(`invalid boolean value "${v}" for ${flag}`);
};

const int = (flag: string) => (v: string) => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`invalid value "${v}" for ${flag}: want an integer`);
  return Number(v);
};

interface EtcdFlags {
  name: string;
  dataDir?: string;
  listenClientUrls: string;
  advertiseClientUrls?: string;
  listenPeerUrls: string;
  initialAdvertisePeerUrls: string;
  initialCluster?: string;
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  certFile?: string;
  keyFile?: string;
  trustedCaFile?: string;
  clientCertAuth: boolean;
  quotaBackendBytes: number;
  maxRequestBytes: number;
  autoCompactionMode: 'periodic' | 'revision';
  autoCompactionRetention: string;
  logLevel: LogLevel;
  snapshotCount: number;
  enableV2: boolean;
  experimentalWatchProgressNotifyInterval: string;
}

/** turns flags into a config, or throws an Error whose message names the bad flag */
export function etcdConfigFromFlags(f: EtcdFlags): EtcdConfig {
  const listenClientUrls = parseUrlList('--listen-client-urls', f.listenClientUrls);
  const advertiseClientUrls = f.advertiseClientUrls
    ? parseUrlList('--advertise-client-urls', f.advertiseClientUrls).map((u) => u.href.replace(/\/$/, ''))
    : listenClientUrls.map((u) => u.href.replace(/\/$/, ''));
  const listenPeerUrls = parseUrlList('--listen-peer-urls', f.listenPeerUrls).map((u) => u.href.replace(/\/$/, ''));
  const initialAdvertisePeerUrls = parseUrlList('--initial-advertise-peer-urls', f.initialAdvertisePeerUrls).map((u) =>
    u.href.replace(/\/$/, ''),
  );
  if (f.initialCluster !== undefined) {
    const members = parseInitialCluster(f.initialCluster);
    const names = [...new Set(members.map(([n]) => n))];
    if (names.length > 1) {
      throw new Error(
        `--initial-cluster lists ${names.length} members (${names.join(', ')}), but tskube etcd runs exactly one member; ` +
          'high availability is real etcd\'s job: run an etcd cluster and point the API server at it with --etcd-servers',
      );
    }
    if (names.length === 1 && names[0] !== f.name) {
      throw new Error(`couldn't find local name "${f.name}" in the initial cluster configuration (--initial-cluster)`);
    }
  }
  const usesTls = listenClientUrls.some((u) => u.protocol === 'https:');
  if (usesTls && (!f.certFile || !f.keyFile)) {
    throw new Error('--cert-file and --key-file must be provided to serve https:// client URLs');
  }
  if (f.clientCertAuth && !f.trustedCaFile) throw new Error('--client-cert-auth requires --trusted-ca-file');
  if (f.maxRequestBytes <= 0) throw new Error('--max-request-bytes must be positive');
  const progressMs = parseDuration('--experimental-watch-progress-notify-interval', f.experimentalWatchProgressNotifyInterval);
  if (progressMs <= 0) throw new Error('--experimental-watch-progress-notify-interval must be positive');
  return {
    name: f.name,
    dataDir: f.dataDir ?? `${f.name}.etcd`,
    listenClientUrls,
    advertiseClientUrls,
    listenPeerUrls,
    initialAdvertisePeerUrls,
    initialClusterState: f.initialClusterState,
    initialClusterToken: f.initialClusterToken,
    certFile: f.certFile,
    keyFile: f.keyFile,
    trustedCaFile: f.trustedCaFile,
    clientCertAuth: f.clientCertAuth,
    quotaBackendBytes: f.quotaBackendBytes === 0 ? DEFAULT_QUOTA_BACKEND_BYTES : f.quotaBackendBytes,
    maxRequestBytes: f.maxRequestBytes,
    autoCompactionMode: f.autoCompactionMode,
    autoCompactionRetention: parseRetention(f.autoCompactionRetention, f.autoCompactionMode),
    logLevel: f.logLevel,
    snapshotCount: f.snapshotCount,
    enableV2: f.enableV2,
    watchProgressNotifyIntervalMs: progressMs,
  };
}

function humanBytes(n: number): string {
  // go-humanize's Bytes: SI units, "20 kB"
  if (n < 10) return `${n} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  const e = Math.min(Math.floor(Math.log(n) / Math.log(1000)), units.length - 1);
  const v = n / 1000 ** e;
  return `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ${units[e]}`;
}

function snapshotCommand(): Command {
  const snapshot = new Command('snapshot').description('restore or inspect a snapshot file (as etcdctl snapshot)');
  snapshot
    .command('restore')
    .description('restore a snapshot file into a new data directory')
    .argument('<file>', 'snapshot file')
    .requiredOption('--data-dir <dir>', 'data directory to create')
    .action(async (file: string, opts: { dataDir: string }) => {
      await restoreSnapshot(file, opts.dataDir);
      process.stdout.write(`restored snapshot ${file} into ${opts.dataDir}\n`);
    });
  snapshot
    .command('status')
    .description('print hash, revision, total keys and total size of a snapshot file')
    .argument('<file>', 'snapshot file')
    .addOption(new Option('-w, --write-out <format>', 'output format').choices(['simple', 'table', 'json']).default('simple'))
    .action(async (file: string, opts: { writeOut: string }) => {
      const s = snapshotStatus(file);
      // etcdctl prints the hash with %x: no zero padding.
      const hash = (s.hash >>> 0).toString(16);
      if (opts.writeOut === 'json') {
        process.stdout.write(JSON.stringify({ hash: s.hash >>> 0, revision: s.revision, totalKey: s.totalKey, totalSize: s.totalSize }) + '\n');
      } else if (opts.writeOut === 'table') {
        const cells = [hash, String(s.revision), String(s.totalKey), humanBytes(s.totalSize)];
        const heads = ['HASH', 'REVISION', 'TOTAL KEYS', 'TOTAL SIZE'];
        const widths = heads.map((h, i) => Math.max(h.length, cells[i].length) + 2);
        const line = '+' + widths.map((w) => '-'.repeat(w)).join('+') + '+';
        const center = (t: string, w: number) => {
          const left = Math.floor((w - t.length) / 2);
          return ' '.repeat(left) + t + ' '.repeat(w - t.length - left);
        };
        const row = (ts: string[], align: (t: string, w: number, i: number) => string) => '|' + ts.map((t, i) => align(t, widths[i], i)).join('|') + '|';
        const out = [
          line,
          row(heads, (t, w) => center(t, w)),
          line,
          row(cells, (t, w, i) => (i === 0 ? ' ' + t.padEnd(w - 1) : t.padStart(w - 1) + ' ')),
          line,
        ];
        process.stdout.write(out.join('\n') + '\n');
      } else {
        process.stdout.write(`${hash}, ${s.revision}, ${s.totalKey}, ${humanBytes(s.totalSize)}\n`);
      }
    });
  return snapshot;
}

export function etcdCommand(): Command {
  const cmd = new Command('etcd')
    .description('run an etcd-compatible store member (one member; v3 gRPC, v2 keys, /health, /metrics)')
    .enablePositionalOptions()
    .option('--name <name>', 'human-readable name for this member', 'default')
    .option('--data-dir <dir>', 'path to the data directory (default "${name}.etcd")')
    .option('--listen-client-urls <urls>', 'comma-separated URLs to listen on for client traffic', 'http://127.0.0.1:2379')
    .option('--advertise-client-urls <urls>', "comma-separated list of this member's client URLs to advertise (default: the listen URLs)")
    .option('--listen-peer-urls <urls>', 'comma-separated URLs for peer traffic (recorded; tskube etcd has no peers)', 'http://localhost:2380')
    .option('--initial-advertise-peer-urls <urls>', "this member's peer URLs to advertise (recorded in the member list)", 'http://localhost:2380')
    .option('--initial-cluster <members>', 'initial cluster configuration NAME=PEER-URL (one member only)')
    .addOption(new Option('--initial-cluster-state <state>', 'initial cluster state').choices(['new', 'existing']).default('new'))
    .option('--initial-cluster-token <token>', 'initial cluster token', 'etcd-cluster')
    .option('--cert-file <file>', 'path to the client server TLS cert file')
    .option('--key-file <file>', 'path to the client server TLS key file')
    .option('--trusted-ca-file <file>', 'path to the client server TLS trusted CA cert file')
    .option('--client-cert-auth [bool]', 'require client certificates signed by --trusted-ca-file', bool('--client-cert-auth'), false)
    .option('--quota-backend-bytes <bytes>', 'raise alarms when backend size exceeds the given quota (0 defaults to low space quota)', int('--quota-backend-bytes'), DEFAULT_QUOTA_BACKEND_BYTES)
    .option('--max-request-bytes <bytes>', 'maximum client request size in bytes the server will accept', int('--max-request-bytes'), DEFAULT_MAX_REQUEST_BYTES)
    .addOption(
      new Option('--auto-compaction-mode <mode>', 'interpret auto-compaction-retention as a duration (periodic) or a revision count (revision)')
        .choices(['periodic', 'revision'])
        .default('periodic'),
    )
    .option('--auto-compaction-retention <retention>', 'auto compaction retention: e.g. 1h, 30m, or a number (hours, or revisions in revision mode); 0 disables', '0')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .option('--snapshot-count <n>', 'number of write-ahead log records (group commits) between checkpoints of the data file', int('--snapshot-count'), 100000)
    .option('--enable-v2 [bool]', 'accept etcd V2 client requests', bool('--enable-v2'), false)
    .option('--experimental-watch-progress-notify-interval <duration>', 'duration of periodic watch progress notifications', '10m')
    .action(async (flags: EtcdFlags) => {
      const config = ((): EtcdConfig => {
        try {
          return etcdConfigFromFlags(flags);
        } catch (err) {
          return cmd.error(`error: ${(err as Error).message}`, { exitCode: 2 });
        }
      })();
      const log = createLogger('etcd', config.logLevel);
      let server;
      try {
        server = await startEtcdServer(config, log);
      } catch (err) {
        log.error(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      }
      const stop = (signal: string) => {
        log.info(`received ${signal}, shutting down`);
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  cmd.addCommand(snapshotCommand());
  return cmd;
}
