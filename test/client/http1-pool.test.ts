// The REST client's lean HTTP/1.1 transport against node's own HTTP server on loopback:
// bodies by Content-Length, chunked (split anywhere) and to connection close, keep-alive
// reuse, a server that drops an idle connection (RestClient retries on a fresh one),
// timeouts and aborts. The API-server paths are covered by rest-client.test.ts.
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { Http1Pool } from '../../src/client/http1-pool.js';
import { RestClient } from '../../src/client/rest-client.js';

let server: http.Server;
let port = 0;
const sockets = new Set<unknown>();
let connections = 0;
const served = new WeakMap<object, number>();

before(async () => {
  server = http.createServer((req, res) => {
    served.set(req.socket, (served.get(req.socket) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const url = new URL(req.url!, 'http://x');
      switch (url.pathname) {
        case '/echo':
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
          return;
        case '/chunked': {
          // Several chunks, flushed apart, so they reach the client in separate reads.
          res.writeHead(200, { 'Content-Type': 'application/json', 'X-Multi': 'a' });
          const parts = ['{"items":[', '"é",'.repeat(5000), '"end"]}'];
          let i = 0;
          const next = () => { if (i < parts.length) { res.write(parts[i++]); setTimeout(next, 5); } else res.end(); };
          next();
          return;
        }
        case '/close':
          res.writeHead(200, { Connection: 'close' });
          res.end('{"closed":true}');
          return;
        case '/empty':
          res.writeHead(204);
          res.end();
          return;
        case '/slow':
          setTimeout(() => { if (!res.destroyed) res.end('{}'); }, 2000);
          return;
        case '/drop-reused':
          // A connection that served a request before is dropped unanswered (as a server
          // closing an idle keep-alive connection just as the client reuses it).
          if (served.get(req.socket)! > 1) { req.socket.destroy(); return; }
          res.end('{"fresh":true}');
          return;
        case '/status':
          res.writeHead(404, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'x not found' }));
          return;
        default:
          res.writeHead(500);
          res.end();
      }
    });
  });
  server.on('connection', (s) => { connections++; sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => { server.closeAllConnections(); server.close(); });

test('bodies by length, chunked and to close; keep-alive reuses one connection', async () => {
  const pool = new Http1Pool({ host: '127.0.0.1', port });
  try {
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const body = Buffer.from(JSON.stringify({ i, s: 'ü'.repeat(i * 1000) }));
      const r = await pool.request({ method: 'POST', path: '/echo', headerLines: 'Content-Type: application/json\r\n', body });
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body.toString()), { i, s: 'ü'.repeat(i * 1000) });
    }
    assert.equal(connections - before, 1, 'five sequential requests share one connection');
    const ch = await pool.request({ method: 'GET', path: '/chunked', headerLines: '' });
    const items = JSON.parse(ch.body.toString()).items as string[];
    assert.equal(items.length, 5001);
    assert.equal(items[0], 'é');
    assert.equal(ch.headers['x-multi'], 'a');
    const empty = await pool.request({ method: 'DELETE', path: '/empty', headerLines: '' });
    assert.equal(empty.status, 204);
    assert.equal(empty.body.length, 0);
    const closed = await pool.request({ method: 'GET', path: '/close', headerLines: '' });
    assert.deepEqual(JSON.parse(closed.body.toString()), { closed: true });
    // Still usable after the server closed a connection on purpose.
    const again = await pool.request({ method: 'POST', path: '/echo', headerLines: '', body: Buffer.from('{"a":1}') });
    assert.deepEqual(JSON.parse(again.body.toString()), { a: 1 });
    // Many at once: each answer goes to its own request.
    const many = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.request({ method: 'POST', path: '/echo', headerLines: '', body: Buffer.from(JSON.stringify({ i })) })));
    assert.deepEqual(many.map((r) => JSON.parse(r.body.toString()).i), Array.from({ length: 40 }, (_, i) => i));
  } finally {
    pool.close();
  }
});

test('timeouts and aborts fail the request and free its connection', async () => {
  const pool = new Http1Pool({ host: '127.0.0.1', port, maxSockets: 1 });
  try {
    await assert.rejects(pool.request({ method: 'GET', path: '/slow', headerLines: '', timeoutMs: 100 }), /timed out after 100 ms/);
    const ac = new AbortController();
    const p = pool.request({ method: 'GET', path: '/slow', headerLines: '', signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, { name: 'AbortError' });
    // The one socket slot is free again.
    const r = await pool.request({ method: 'POST', path: '/echo', headerLines: '', body: Buffer.from('{}'), timeoutMs: 5000 });
    assert.equal(r.status, 200);
  } finally {
    pool.close();
  }
});

test('RestClient: a keep-alive connection the server dropped is retried on a new one; Status errors decoded', async () => {
  const client = new RestClient({ server: `http://127.0.0.1:${port}`, namespace: 'default', qps: 1000, burst: 1000 });
  try {
    assert.deepEqual(await client.request({ method: 'POST', path: '/echo', body: { n: 1 } }), { n: 1 });
    // The server drops the reused connection without an answer: the client retries on a new one.
    const before = connections;
    assert.deepEqual(await client.request({ method: 'POST', path: '/drop-reused', body: {} }), { fresh: true });
    assert.equal(connections - before, 1);
    // The server closed every idle connection (as at its keepAliveTimeout, or a restart).
    for (const s of sockets) (s as { destroy(): void }).destroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await client.request({ method: 'POST', path: '/echo', body: { n: 2 } }), { n: 2 });
    const err = await client.request({ method: 'GET', path: '/status' }).then(() => null, (e) => e);
    assert.equal(err?.code, 404);
    assert.equal(err?.status?.message, 'x not found');
  } finally {
    client.close();
  }
});

test('a server that accepts but never finishes the TLS handshake: the timeout, an abort and close() each end the request', async () => {
  const silent = net.createServer(() => {}); // takes the connection, never answers the ClientHello
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const tlsOpts = { secureContext: tls.createSecureContext(), rejectUnauthorized: true };
  const pool = new Http1Pool({ host: '127.0.0.1', port: (silent.address() as AddressInfo).port, tls: tlsOpts, maxSockets: 1 });
  try {
    await assert.rejects(pool.request({ method: 'GET', path: '/', headerLines: '', timeoutMs: 200 }), /timed out after 200 ms/);
    const ac = new AbortController();
    const aborted = pool.request({ method: 'GET', path: '/', headerLines: '', signal: ac.signal });
    // a second request waits for the one connection slot; its timeout ends the wait
    await assert.rejects(pool.request({ method: 'GET', path: '/', headerLines: '', timeoutMs: 200 }), /timed out after 200 ms/);
    ac.abort();
    await assert.rejects(aborted, { name: 'AbortError' });
    const closing = pool.request({ method: 'GET', path: '/', headerLines: '' });
    setTimeout(() => pool.close(), 100);
    await assert.rejects(closing, /client closed/);
  } finally {
    pool.close();
    silent.close();
  }
});
