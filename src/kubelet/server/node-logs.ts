// /logs/: the node's log directory (/var/log) served as upstream's kubelet serves it — Go's
// http.FileServer behind StripPrefix("/logs/"): a directory is an HTML listing (<pre> of
// links, sorted by name, directories with a trailing slash), a file is its bytes with
// Last-Modified, If-Modified-Since and single byte ranges; a directory asked without its
// trailing slash is redirected to it; a missing path is 404 "404 page not found", an
// unreadable one 403 "403 Forbidden" (Go's plain-text errors).
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

/** Upstream's nodeLogDir. */
export const NODE_LOG_DIR = '/var/log';

function textError(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${message}\n`);
}

/** Go's net/http localRedirect: a relative Location, the query kept. */
function redirect(res: http.ServerResponse, url: URL, to: string): void {
  res.writeHead(301, { Location: to + url.search });
  res.end();
}

// characters Go's url.URL{Path}.String() leaves as they are in a path
const PATH_SAFE = /[A-Za-z0-9\-_.~$&+,/:;=@]/;

function escapePath(name: string): string {
  let out = '';
  for (const b of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && PATH_SAFE.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  // a first segment holding ':' would read as a scheme: Go writes "./" in front
  const first = out.split('/')[0];
  return first.includes(':') ? `./${out}` : out;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.json': 'application/json', '.xml': 'text/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.gz': 'application/gzip', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
};

/** Go's DetectContentType, reduced to what log files are: text or bytes. */
function sniff(head: Buffer): string {
  for (const b of head) if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) return 'application/octet-stream';
  return 'text/plain; charset=utf-8';
}

function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}

function notModified(req: http.IncomingMessage, mtimeMs: number): boolean {
  const since = req.headers['if-modified-since'];
  if (!since || req.headers['if-none-match']) return false;
  const t = Date.parse(since);
  return Number.isFinite(t) && Math.floor(mtimeMs / 1000) * 1000 <= t;
}

function statusOfError(err: NodeJS.ErrnoException): [number, string] {
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [404, '404 page not found'];
  if (err.code === 'EACCES' || err.code === 'EPERM') return [403, '403 Forbidden'];
  return [500, '500 Internal Server Error'];
}

/** Serves `url` (its path already stripped of "/logs") from `dir`. */
export async function serveNodeLogs(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rest: string, dir = NODE_LOG_DIR): Promise<void> {
  const upath = rest.startsWith('/') ? rest : `/${rest}`;
  const name = path.posix.normalize(upath);
  if (upath.endsWith('/index.html')) return redirect(res, url, './');
  const file = path.join(dir, name);
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (err) {
    const [code, message] = statusOfError(err as NodeJS.ErrnoException);
    return textError(res, code, message);
  }
  const base = path.posix.basename(upath);
  if (st.isDirectory()) {
    if (!upath.endsWith('/')) return redirect(res, url, `${base}/`);
    const index = path.join(file, 'index.html');
    if (fs.existsSync(index)) return serveFile(req, res, index, await fs.promises.stat(index));
    if (notModified(req, st.mtimeMs)) { res.writeHead(304); res.end(); return; }
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(file, { withFileTypes: true });
    } catch (err) {
      const [code, message] = statusOfError(err as NodeJS.ErrnoException);
      return textError(res, code === 404 ? 500 : code, code === 404 ? 'Error reading directory' : message);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let body = '<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n';
    for (const e of entries) {
      // Go lists what Readdir says: a symlink to a directory stays a file there
      const shown = e.isDirectory() ? `${e.name}/` : e.name;
      body += `<a href="${escapePath(shown)}">${escapeHtml(shown)}</a>\n`;
    }
    body += '</pre>\n';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Last-Modified': httpDate(st.mtimeMs) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  if (upath.endsWith('/')) return redirect(res, url, `../${base}`);
  return serveFile(req, res, file, st);
}

async function serveFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, st: fs.Stats): Promise<void> {
  if (notModified(req, st.mtimeMs)) { res.writeHead(304, { 'Last-Modified': httpDate(st.mtimeMs) }); res.end(); return; }
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (err) {
    const [code, message] = statusOfError(err as NodeJS.ErrnoException);
    return textError(res, code, message);
  }
  try {
    const size = st.size;
    let type = CONTENT_TYPES[path.extname(file).toLowerCase()];
    if (!type) {
      const head = Buffer.alloc(Math.min(512, size));
      await fh.read(head, 0, head.length, 0);
      type = sniff(head);
    }
    const headers: Record<string, string | number> = { 'Content-Type': type, 'Last-Modified': httpDate(st.mtimeMs), 'Accept-Ranges': 'bytes' };
    let start = 0;
    let end = size - 1;
    let code = 200;
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range && (range[1] || range[2])) {
      if (range[1]) { start = Number(range[1]); if (range[2]) end = Math.min(Number(range[2]), size - 1); } else { start = Math.max(0, size - Number(range[2])); }
      if (start >= size || start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end('invalid range: failed to overlap\n');
        return;
      }
      code = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['Content-Length'] = Math.max(0, end - start + 1);
    res.writeHead(code, headers);
    if (req.method === 'HEAD' || size === 0) { res.end(); return; }
    const stream = fh.createReadStream({ start, end, autoClose: false });
    await new Promise<void>((resolve) => {
      stream.on('error', () => { res.destroy(); resolve(); });
      stream.on('end', resolve);
      res.on('close', resolve);
      stream.pipe(res);
    });
  } finally {
    await fh.close().catch(() => undefined);
  }
}
