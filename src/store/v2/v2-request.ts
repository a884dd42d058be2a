// A /v2/keys request decoded and checked the way etcd's parseKeyRequest does, in the same
// order, so the same bad input gets the same error code and cause.
import { Ecode, requestError } from './v2-error.js';
import type { Form } from './v2-form.js';

export interface KeyRequest {
  method: string;
  /** the key, absolute ("/foo/bar"; "/" for the root) */
  path: string;
  value: string;
  dir: boolean;
  prevValue: string;
  prevIndex: number;
  prevExist?: boolean;
  wait: boolean;
  waitIndex: number;
  recursive: boolean;
  sorted: boolean;
  quorum: boolean;
  stream: boolean;
  refresh?: boolean;
  noValueOnSuccess: boolean;
  /** absolute expiry (ms since the epoch) when a ttl was given */
  expireTime?: number;
}

/** 9999-12-31T23:59:59Z: a larger TTL is clamped so the expiry stays a printable time. */
const MAX_EXPIRE_MS = 253402300799000;

const first = (f: Form, k: string) => f.get(k)?.[0];

/** Go's strconv.ParseBool. */
function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Go's strconv.ParseUint(s, 10, 64), as a JS number. */
function parseUint(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 0xffffffffffffffffn) return undefined;
  return Number(n);
}

function getBool(f: Form, k: string): boolean {
  const v = first(f, k);
  if (v === undefined) return false;
  const b = parseBool(v);
  if (b === undefined) throw requestError(Ecode.InvalidField, `invalid value for "${k}"`);
  return b;
}

function getUint(f: Form, k: string): number {
  const v = first(f, k);
  if (v === undefined) return 0;
  const n = parseUint(v);
  if (n === undefined) throw requestError(Ecode.IndexNaN, `invalid value for "${k}"`);
  return n;
}

export function parseKeyRequest(method: string, key: string, f: Form, now: number): KeyRequest {
  const prevIndex = getUint(f, 'prevIndex');
  const waitIndex = getUint(f, 'waitIndex');
  const recursive = getBool(f, 'recursive');
  const sorted = getBool(f, 'sorted');
  const wait = getBool(f, 'wait');
  const dir = getBool(f, 'dir');
  const quorum = getBool(f, 'quorum');
  const stream = getBool(f, 'stream');
  if (wait && method !== 'GET') throw requestError(Ecode.InvalidField, '"wait" can only be used with GET requests');
  const prevValue = first(f, 'prevValue') ?? '';
  if (f.has('prevValue') && prevValue === '') throw requestError(Ecode.PrevValueRequired, '"prevValue" cannot be empty');
  const noValueOnSuccess = getBool(f, 'noValueOnSuccess');

  let ttl: number | undefined;
  const ttlText = first(f, 'ttl') ?? '';
  if (ttlText.length > 0) {
    ttl = parseUint(ttlText);
    if (ttl === undefined) throw requestError(Ecode.TTLNaN, 'invalid value for "ttl"');
  }
  let prevExist: boolean | undefined;
  if (f.has('prevExist')) {
    prevExist = parseBool(first(f, 'prevExist')!);
    if (prevExist === undefined) throw requestError(Ecode.InvalidField, 'invalid value for prevExist');
  }
  let refresh: boolean | undefined;
  if (f.has('refresh')) {
    refresh = parseBool(first(f, 'refresh')!);
    if (refresh === undefined) throw requestError(Ecode.InvalidField, 'invalid value for refresh');
    if (refresh) {
      if (f.has('value') && first(f, 'value') !== '') throw requestError(Ecode.RefreshValue, 'A value was provided on a refresh');
      if (ttl === undefined) throw requestError(Ecode.RefreshTTLRequired, 'No TTL value set');
    }
  }
  return {
    method,
    path: key,
    value: first(f, 'value') ?? '',
    dir,
    prevValue,
    prevIndex,
    prevExist,
    wait,
    waitIndex,
    recursive,
    sorted,
    quorum,
    stream,
    refresh,
    noValueOnSuccess,
    expireTime: ttl === undefined ? undefined : Math.min(now + ttl * 1000, MAX_EXPIRE_MS),
  };
}
