// --token-auth-file: static bearer tokens in upstream's CSV (token,user,uid,"group1,group2").
import fs from 'node:fs';
import type { UserInfo } from './user-info.js';
import type { TokenAuthenticator } from './authenticator.js';

/** Splits one CSV line, honouring double quotes (a quoted field may hold commas). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

export function parseTokenFile(text: string, file = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.trim().startsWith('#')) return;
    const f = csvFields(line);
    if (f.length < 3 || !f[0] || !f[1]) throw new Error(`${file}: line ${i + 1}: want token,user,uid[,"groups"]`);
    if (tokens.has(f[0])) throw new Error(`${file}: line ${i + 1}: duplicate token`);
    tokens.set(f[0], { name: f[1], uid: f[2], groups: f[3] ? f[3].split(',').map((g) => g.trim()).filter(Boolean) : [] });
  });
  return tokens;
}

export function loadTokenFile(file: string): Map<string, UserInfo> {
  return parseTokenFile(fs.readFileSync(file, 'utf8'), file);
}

export function tokenFileAuthenticator(file: string): TokenAuthenticator {
  const tokens = loadTokenFile(file);
  return { name: 'token-file', authenticateToken: async (token) => tokens.get(token) };
}
