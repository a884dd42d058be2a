// HPACK Huffman decoding and the :authority of a first header block (h2-first-request.ts),
// which decides whether a connection needs the :authority rewriter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorityOf, plainAuthority } from '../../../src/store/server/h2-first-request.js';
import { huffmanDecode } from '../../../src/store/server/hpack-huffman.js';

describe('huffmanDecode', () => {
  it('decodes RFC 7541 C.4.1 and strings encoded by python-hpack', () => {
    assert.equal(huffmanDecode(Buffer.from('f1e3c2e5f23a6ba0ab90f4ff', 'hex'))?.toString(), 'www.example.com');
    assert.equal(huffmanDecode(Buffer.from('089d5c0b8170dc132ebf', 'hex'))?.toString(), '127.0.0.1:2379');
    assert.equal(huffmanDecode(Buffer.from('a0e41d139d09', 'hex'))?.toString(), 'localhost');
  });

  it('refuses padding that is not a prefix of EOS', () => {
    assert.equal(huffmanDecode(Buffer.from('f1e3c2e5f23a6ba0ab90f4fe', 'hex')), undefined);
    assert.equal(huffmanDecode(Buffer.from('ffffffff', 'hex')), undefined);
  });
});

describe('authorityOf', () => {
  const literal = (value: Buffer, huffman: boolean) => Buffer.concat([Buffer.from([0x01, (huffman ? 0x80 : 0) | value.length]), value]);

  it('reads a literal :authority, raw or Huffman-coded, after other fields', () => {
    const method = Buffer.from([0x83]); // :method POST (static 3)
    assert.equal(authorityOf(Buffer.concat([method, literal(Buffer.from('127.0.0.1:2379'), false)])), '127.0.0.1:2379');
    assert.equal(authorityOf(Buffer.concat([Buffer.from([0x20]), method, literal(Buffer.from('089d5c0b8170dc132ebf', 'hex'), true)])), '127.0.0.1:2379');
    assert.equal(authorityOf(literal(Buffer.from('http://127.0.0.1:2379'), false)), 'http://127.0.0.1:2379');
  });

  it('gives up on a truncated block or one without :authority', () => {
    assert.equal(authorityOf(Buffer.from([0x01, 0x0a, 0x31])), undefined);
    assert.equal(authorityOf(Buffer.from([0x83, 0xbe])), undefined); // a dynamic entry could be it
  });

  it('takes only plain host:port forms as plain', () => {
    for (const a of ['127.0.0.1:2379', 'localhost', 'etcd-0.example:2379', '[::1]:2379']) assert.ok(plainAuthority(a), a);
    for (const a of [undefined, '', 'http://127.0.0.1:2379', 'unix:///tmp/x', 'a b']) assert.ok(!plainAuthority(a), String(a));
  });
});
