// The query and path parameters of the REST operations: their types and what they do.
export interface ParamInfo { type: 'string' | 'integer' | 'boolean'; description: string }

const P: Record<string, ParamInfo> = {
  allowWatchBookmarks: { type: 'boolean', description: 'asks the server to send BOOKMARK watch events; ignored outside watch' },
  continue: { type: 'string', description: 'the continue token of a previous paged list, to read the next page' },
  dryRun: { type: 'string', description: 'when present, the modification is validated but not stored; the only valid value is All' },
  fieldManager: { type: 'string', description: 'the name of the actor making the change, recorded in managedFields' },
  fieldSelector: { type: 'string', description: 'restricts the returned objects by their fields' },
  fieldValidation: { type: 'string', description: 'what to do with unknown or duplicate fields in the body: Ignore (drop them), Warn (drop them and send a warning header, the default) or Strict (fail the request with BadRequest)' },
  force: { type: 'boolean', description: 'apply requests take over fields owned by other managers; only for apply patches' },
  gracePeriodSeconds: { type: 'integer', description: 'seconds before the object is deleted; zero deletes immediately' },
  ignoreStoreReadErrorWithClusterBreakingPotential: { type: 'boolean', description: 'deletes objects the server cannot read or decode; dangerous' },
  labelSelector: { type: 'string', description: 'restricts the returned objects by their labels' },
  limit: { type: 'integer', description: 'the most objects to return in one list response; the rest come with the continue token' },
  name: { type: 'string', description: 'name of the object' },
  namespace: { type: 'string', description: 'object name and auth scope, such as for teams and projects' },
  orphanDependents: { type: 'boolean', description: 'deprecated: use propagationPolicy' },
  pretty: { type: 'string', description: 'when true, the output is indented' },
  propagationPolicy: { type: 'string', description: 'whether and how dependents are garbage collected: Orphan, Background or Foreground' },
  resourceVersion: { type: 'string', description: 'which version of the data a list or watch starts from' },
  resourceVersionMatch: { type: 'string', description: 'how resourceVersion applies to a list: Exact or NotOlderThan' },
  sendInitialEvents: { type: 'boolean', description: 'a watch starts with synthetic events for the current state' },
  timeoutSeconds: { type: 'integer', description: 'ends the list or watch call after this long, whether or not anything happened' },
  watch: { type: 'boolean', description: 'watch for changes to the described resources and return them as a stream of add, update and remove notifications' },
};

export function paramInfo(name: string): ParamInfo {
  return P[name] ?? { type: 'string', description: name };
}
