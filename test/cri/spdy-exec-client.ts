// A minimal remote-command client (what the kubelet's proxy hands containerd, what kubectl
// speaks): dials a streaming URL with SPDY/3.1, opens error/stdin/stdout/stderr streams, and
// prints what came back as JSON. Run inside the test's network namespace, where containerd's
// streaming server listens: `ip netns exec NS node spdy-exec-client.js URL [STDIN]`.
import { STREAM_TYPE_HEADER, StreamProtocolV4 } from '../../src/api/httpstream/remotecommand.js';
import { SpdyConnection } from '../../src/api/httpstream/spdy/spdy-connection.js';
import { dialUpgrade } from '../../src/api/httpstream/upgrade.js';

const [url, input] = process.argv.slice(2);
const res = await dialUpgrade({ url: new URL(url), method: 'POST', protocols: [StreamProtocolV4] });
if (!res.upgraded) {
  console.log(JSON.stringify({ refused: res.response.statusCode, body: res.body.toString() }));
  process.exit(0);
}
const conn = new SpdyConnection(res.socket, { server: false });
conn.feed(res.head);
const read = (s: NodeJS.ReadableStream) => new Promise<string>((resolve) => {
  let text = '';
  s.on('data', (d: Buffer) => { text += d.toString(); });
  s.on('end', () => resolve(text));
});
const error = await conn.createStream({ [STREAM_TYPE_HEADER]: ['error'] });
const stdin = input === undefined ? undefined : await conn.createStream({ [STREAM_TYPE_HEADER]: ['stdin'] });
const stdout = await conn.createStream({ [STREAM_TYPE_HEADER]: ['stdout'] });
const stderr = await conn.createStream({ [STREAM_TYPE_HEADER]: ['stderr'] });
stdin?.end(input);
const [out, err, status] = await Promise.all([read(stdout), read(stderr), read(error)]);
console.log(JSON.stringify({ protocol: res.protocol, stdout: out, stderr: err, error: status }));
conn.close();
