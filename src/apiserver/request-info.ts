// Splits a request path into the API group, version, namespace, resource, name and
// subresource, and names the verb as authorization and the handlers see it.
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix?: 'api' | 'apis';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
}

/** A query parameter read as Go's strconv.ParseBool does (python3-kubernetes sends watch=True). */
export const goBool = (v: string | null | undefined): boolean => v === '1' || v === 't' || v === 'T' || v === 'true' || v === 'TRUE' || v === 'True';

export function requestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const info: RequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase(), group: '', version: '', namespace: '', resource: '', name: '', subresource: '' };
  // Most segments have no escapes: decode only those that do (decodeURIComponent is a runtime call).
  const parts = path.split('/').filter(Boolean).map((s) => (s.includes('%') ? decodeURIComponent(s) : s));
  if (parts[0] !== 'api' && parts[0] !== 'apis') return info;
  info.apiPrefix = parts[0];
  let rest = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    info.group = rest[0] ?? '';
    if (rest.length < 2) return info; // /apis/GROUP: the group's discovery document
    rest = rest.slice(1);
  }
  if (rest.length < 2) { info.version = rest[0] ?? ''; return info; }
  info.version = rest[0];
  rest = rest.slice(1);
  info.isResourceRequest = true;
  let watchPath = false;
  if (rest[0] === 'watch') { watchPath = true; rest = rest.slice(1); }
  // /namespaces/NS/RESOURCE/... except the namespaces resource itself (/namespaces/NS[/status]).
  // (upstream's namespaceSubresources: /namespaces/NS/status and /namespaces/NS/finalize stay on the namespace)
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    info.namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length >= 2) {
    info.namespace = rest[1];
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  // …/NAME/proxy/PATH stays a request on the proxy subresource (the rest is the target's path)
  if (rest.length > 3 && info.subresource !== 'proxy') info.isResourceRequest = false;
  // Only reads can be watches; the query is parsed only when there is one.
  const watch = watchPath || ((method === 'GET' || method === 'HEAD') && url.search.length > 1 && goBool(url.searchParams.get('watch')));
  switch (method) {
    case 'GET': case 'HEAD': info.verb = info.name ? (watch ? 'watch' : 'get') : (watch ? 'watch' : 'list'); break;
    case 'POST': info.verb = 'create'; break;
    case 'PUT': info.verb = 'update'; break;
    case 'PATCH': info.verb = 'patch'; break;
    case 'DELETE': info.verb = info.name ? 'delete' : 'deletecollection'; break;
    default: info.verb = method.toLowerCase();
  }
  return info;
}
