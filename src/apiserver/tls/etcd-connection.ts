// The API server's link to etcd, checked at start: --etcd-cafile/--etcd-certfile/--etcd-keyfile
// must be readable PEM (and the key the certificate's), and the store must answer. A TLS
// failure (unknown CA, no or wrong client certificate) ends the start at once with etcd's
// words; an etcd that is not up yet is waited for a while, as upstream waits for storage.
import fs from 'node:fs';
import tls from 'node:tls';
import type { EtcdClient } from '../storage/etcd-client.js';
import { PemFileError, readCertificates, readKeyPair } from './pem-files.js';

export interface EtcdTlsFlags { etcdServers: string[]; etcdCaFile?: string; etcdCertFile?: string; etcdKeyFile?: string }

export function checkEtcdTlsFiles(o: EtcdTlsFlags): void {
  if (o.etcdCaFile) readCertificates('--etcd-cafile', o.etcdCaFile);
  if (!!o.etcdCertFile !== !!o.etcdKeyFile) throw new PemFileError('--etcd-certfile and --etcd-keyfile must be given together');
  if (o.etcdCertFile && o.etcdKeyFile) readKeyPair('--etcd-certfile', o.etcdCertFile, '--etcd-keyfile', o.etcdKeyFile);
  const https = o.etcdServers.filter((s) => s.startsWith('https://'));
  if ((o.etcdCaFile || o.etcdCertFile) && !https.length) throw new PemFileError('--etcd-cafile/--etcd-certfile are given but no --etcd-servers URL is https://');
}

const TLS_WORDS = /certificate|ssl|tls|handshake|alert|unknown ca|self.signed|wrong version number|EPROTO|secure/i;

/** OpenSSL's report, said plainly (the alert etcd sent, or why its certificate is not trusted). */
function tlsReason(text: string): string {
  const alert = /alert ([a-z ]+?)(?::|$)/i.exec(text)?.[1]?.trim();
  if (alert === 'certificate required') return 'etcd requires a client certificate (TLS alert "certificate required")';
  if (alert === 'unknown ca' || alert === 'bad certificate') return `etcd does not trust the client certificate (TLS alert "${alert}")`;
  if (/closed the connection right after the TLS handshake/.test(text)) return 'etcd does not trust the client certificate (it closed the connection right after the TLS handshake)';
  if (alert === 'certificate expired') return 'etcd refused the client certificate as expired (TLS alert "certificate expired")';
  if (alert) return `TLS alert "${alert}"`;
  if (/self.signed|unable to get local issuer|certificate verify failed|unknown authority/i.test(text)) return 'the etcd server\'s certificate is not signed by --etcd-cafile';
  if (/wrong version number/i.test(text)) return 'the etcd endpoint does not speak TLS (use http:// for it)';
  return text.split('\n')[0].replace(/\s*\(\d{4}-[^)]*\)\.?\s*Resolution note:.*$/, '');
}

/**
 * A TLS handshake of our own with the first https endpoint, with the same files: gRPC often
 * reports a refused client certificate as a bare connection reset (TLS 1.3 sends the alert
 * after the handshake), while a plain socket sees the alert. Undefined when TLS is fine.
 */
function probeTls(o: EtcdTlsFlags): Promise<string | undefined> {
  const url = o.etcdServers.map((s) => new URL(s)).find((u) => u.protocol === 'https:');
  if (!url) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: url.hostname, port: Number(url.port || 2379), ALPNProtocols: ['h2'],
      ca: o.etcdCaFile ? fs.readFileSync(o.etcdCaFile) : undefined, cert: o.etcdCertFile ? fs.readFileSync(o.etcdCertFile) : undefined,
      key: o.etcdKeyFile ? fs.readFileSync(o.etcdKeyFile) : undefined, servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
    });
    const done = (why?: string) => { clearTimeout(timer); socket.destroy(); resolve(why); };
    const timer = setTimeout(() => done(undefined), 3000);
    socket.on('error', (err) => done(TLS_WORDS.test(err.message) ? err.message : undefined));
    // The server's verdict on our certificate arrives after the handshake: give it a moment.
    // A server that hangs up then without a word (no alert, no HTTP/2 SETTINGS) refused it.
    let secured = false;
    let answered = false;
    socket.on('data', () => { answered = true; });
    socket.on('secureConnect', () => { secured = true; socket.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')); setTimeout(() => done(undefined), 1000); });
    socket.on('close', () => done(secured && !answered ? 'etcd closed the connection right after the TLS handshake: bad certificate' : undefined));
  });
}

/** Resolves once etcd answers a read; rejects at once on TLS trouble, after `waitMs` otherwise. */
export async function checkEtcdConnection(etcd: EtcdClient, o: EtcdTlsFlags, waitMs = 60_000, log: (m: string) => void = () => {}): Promise<void> {
  const deadline = Date.now() + waitMs;
  const where = o.etcdServers.join(',');
  let nextLog = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      await etcd.range(Buffer.from('/health-check-of-the-apiserver'), { countOnly: true });
      return;
    } catch (err) {
      let text = String((err as { details?: string }).details || (err as Error).message);
      if (!TLS_WORDS.test(text)) text = (await probeTls(o).catch(() => undefined)) ?? text;
      if (TLS_WORDS.test(text)) {
        const hint = !o.etcdCertFile ? ' (no --etcd-certfile/--etcd-keyfile was given: an etcd started with --client-cert-auth refuses clients without a certificate)' : '';
        throw new Error(`cannot connect to etcd at ${where}: TLS failed: ${tlsReason(text)}${hint}`);
      }
      if (Date.now() > deadline) throw new Error(`cannot connect to etcd at ${where}: ${text}`);
      if (Date.now() >= nextLog) { log(`waiting for etcd at ${where}: ${text}`); nextLog = Date.now() + 10_000; }
      // a refused connection costs next to nothing: retry often, so an etcd started beside
      // this server (`tskube up` starts both at once) is used within ~100 ms of answering
      await new Promise((r) => setTimeout(r, attempt < 100 ? 100 : 1000));
    }
  }
}
