// SPDY/3.1 framing and header compression (pure logic), and a session between two
// SpdyConnections over a socket pair: streams opened, replied, written, half-closed, reset.
import assert from 'node:assert/strict';
import net from 'node:net';
import { inflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { SPDY3_DICTIONARY } from '../../src/api/httpstream/spdy/dictionary.js';
import { encodeData, encodePing, encodeSynStream, FrameReader } from '../../src/api/httpstream/spdy/frames.js';
import { decodeHeaderBlock, HeaderCompressor, HeaderDecompressor } from '../../src/api/httpstream/spdy/header-block.js';
import { SpdyConnection } from '../../src/api/httpstream/spdy/spdy-connection.js';
import type { SpdyStream } from '../../src/api/httpstream/spdy/spdy-stream.js';

describe('SPDY/3.1 framing', () => {
  it('has the 1423-byte dictionary of the draft', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(Buffer.from(SPDY3_DICTIONARY.subarray(0, 11)).toString('latin1'), '\0\0\0\x07options');
    assert.ok(Buffer.from(SPDY3_DICTIONARY).toString('latin1').endsWith('enq=0.'));
  });

  it('compresses header blocks zlib can read with the dictionary, across frames', () => {
    const c = new HeaderCompressor();
    const a = c.compress({ streamtype: ['error'] });
    const b = c.compress({ streamtype: ['stdout'], port: ['8080'] });
    // one zlib stream per direction: node's zlib reads both frames' bytes in order
    const plain = inflateSync(Buffer.concat([a, b]), { dictionary: Buffer.from(SPDY3_DICTIONARY), finishFlush: 2 /* Z_SYNC_FLUSH */ });
    const first = decodeHeaderBlock(plain);
    assert.deepEqual(first, { streamtype: ['error'] });
    const d = new HeaderDecompressor();
    assert.deepEqual(d.decompress(a), { streamtype: ['error'] });
    assert.deepEqual(d.decompress(b), { streamtype: ['stdout'], port: ['8080'] });
  });

  it('cuts a byte stream into frames however it arrives', () => {
    const c = new HeaderCompressor();
    const wire = Buffer.concat([encodeSynStream(1, c.compress({ a: ['1', '2'] })), encodeData(1, Buffer.from('hello'), true), encodePing(7)]);
    const r = new FrameReader();
    const frames = [];
    for (const byte of wire) frames.push(...r.push(Buffer.from([byte])));
    assert.deepEqual(frames.map((f) => f.kind), ['syn_stream', 'data', 'ping']);
    const syn = frames[0] as { streamId: number; block: Buffer };
    assert.equal(syn.streamId, 1);
    assert.deepEqual(new HeaderDecompressor().decompress(syn.block), { a: ['1', '2'] });
    const data = frames[1] as { data: Buffer; flags: number };
    assert.equal(data.data.toString(), 'hello');
    assert.equal(data.flags, 1);
  });

  it('runs a session: streams, data both ways, half-close, pings and resets', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const clientSock = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const serverSock = await accepted;
    const client = new SpdyConnection(clientSock, { server: false });
    const srv = new SpdyConnection(serverSock, { server: true });
    const incoming: SpdyStream[] = [];
    srv.on('stream', (s) => {
      incoming.push(s);
      if (s.header('streamtype') === 'echo') s.pipe(s);
    });
    const echo = await client.createStream({ streamtype: ['echo'] });
    assert.equal(echo.id, 1);
    const got: Buffer[] = [];
    echo.on('data', (d: Buffer) => got.push(d));
    const big = Buffer.alloc(100_000, 7);
    echo.end(big);
    await new Promise((r) => echo.once('end', r));
    assert.equal(Buffer.concat(got).length, big.length);
    assert.ok(await client.ping() >= 0);
    const other = await client.createStream({ streamtype: ['other'] });
    assert.equal(other.id, 3);
    incoming[1].resume();
    const ended = new Promise((r) => incoming[1].once('end', r));
    other.reset();
    await ended;
    client.close();
    await new Promise<void>((r) => srv.once('close', () => r()));
    server.close();
  });
});
