/**
 * One constructor per upstream error reason (k8s.io/apimachinery/pkg/api/errors), each
 * returning an ApiError whose Status has upstream's code, reason, message and details.
 */
import { ApiError } from './api-error.js';
import { failureStatus, type StatusCause } from './status.js';
import { aggregateFieldErrors, fieldErrorBody, type FieldError } from './field-errors.js';
import { goQuote } from './go-quote.js';

/** A resource in a group (`{group: 'apps', resource: 'deployments'}`); core group is ''. */
export interface GroupResource { group: string; resource: string }
/** A kind in a group (`{group: 'apps', kind: 'Deployment'}`). */
export interface GroupKind { group: string; kind: string }

/** `deployments.apps`, or `pods` for the core group. */
export const groupResourceString = (gr: GroupResource): string => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);
/** `Deployment.apps`, or `Pod` for the core group. */
export const groupKindString = (gk: GroupKind): string => (gk.group ? `${gk.kind}.${gk.group}` : gk.kind);

/** Storage's message for a resourceVersion precondition failure. */
export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

const q = goQuote;

/** 404: `pods "x" not found`. */
export function newNotFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(failureStatus(404, 'NotFound', `${groupResourceString(gr)} ${q(name)} not found`,
    { name, group: gr.group, kind: gr.resource }));
}

/** 409: `pods "x" already exists`. */
export function newAlreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(failureStatus(409, 'AlreadyExists', `${groupResourceString(gr)} ${q(name)} already exists`,
    { name, group: gr.group, kind: gr.resource }));
}

/** 409 AlreadyExists after generateName produced a taken name. */
export function newGenerateNameConflict(gr: GroupResource, name: string, retryAfterSeconds: number): ApiError {
  return new ApiError(failureStatus(409, 'AlreadyExists',
    `${groupResourceString(gr)} ${q(name)} already exists, the server was not able to generate a unique name for the object`,
    { name, group: gr.group, kind: gr.resource, retryAfterSeconds }));
}

/** 409: `Operation cannot be fulfilled on pods "x": <reason>` (default: the optimistic-lock text). */
export function newConflict(gr: GroupResource, name: string, reason: string = OPTIMISTIC_LOCK_MESSAGE): ApiError {
  return new ApiError(failureStatus(409, 'Conflict', `Operation cannot be fulfilled on ${groupResourceString(gr)} ${q(name)}: ${reason}`,
    { name, group: gr.group, kind: gr.resource }));
}

/** 409 Conflict from server-side apply, with one cause per conflicting field. */
export function newApplyConflict(causes: StatusCause[], message: string): ApiError {
  return new ApiError(failureStatus(409, 'Conflict', message, { causes }));
}

/** 422: `Pod "x" is invalid: spec.containers: Required value` (several errors as `[a, b]`). */
export function newInvalid(gk: GroupKind, name: string, errs: readonly FieldError[]): ApiError {
  const causes = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  const agg = aggregateFieldErrors(errs);
  const base = `${groupKindString(gk)} ${q(name)} is invalid`;
  return new ApiError(failureStatus(422, 'Invalid', agg ? `${base}: ${agg}` : base,
    { name, group: gk.group, kind: gk.kind, causes }));
}

/** 400 with the given message. */
export function newBadRequest(message: string): ApiError {
  return new ApiError(failureStatus(400, 'BadRequest', message));
}

/** 401; message defaults to `Unauthorized` as the authentication filter sends it. */
export function newUnauthorized(message = 'Unauthorized'): ApiError {
  return new ApiError(failureStatus(401, 'Unauthorized', message || 'not authorized'));
}

/**
 * 403: `pods is forbidden: <why>`, `pods "x" is forbidden: <why>`, or `forbidden: <why>`
 * when no resource is known. `why` is usually forbiddenMessage(...).
 */
export function newForbidden(gr: GroupResource | null, name: string, why: string): ApiError {
  let message: string;
  if (!gr || (!gr.group && !gr.resource)) message = `forbidden: ${why}`;
  else if (!name) message = `${groupResourceString(gr)} is forbidden: ${why}`;
  else message = `${groupResourceString(gr)} ${q(name)} is forbidden: ${why}`;
  return new ApiError(failureStatus(403, 'Forbidden', message, { name, group: gr?.group, kind: gr?.resource }));
}

/** What an authorizer denied, as the API server's forbidden response describes it. */
export interface ForbiddenAttributes {
  user: string;
  verb: string;
  /** Set for resource requests. */
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  namespace?: string;
  /** Set for non-resource requests such as /healthz. */
  path?: string;
}

/** `User "jane" cannot list resource "pods" in API group "" in the namespace "dev"` and its variants. */
export function forbiddenMessage(a: ForbiddenAttributes, reason = ''): string {
  let msg: string;
  if (a.resource === undefined) {
    msg = `User ${q(a.user)} cannot ${a.verb} path ${q(a.path ?? '')}`;
  } else {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const where = a.namespace ? `in the namespace ${q(a.namespace)}` : 'at the cluster scope';
    msg = `User ${q(a.user)} cannot ${a.verb} resource ${q(res)} in API group ${q(a.apiGroup ?? '')} ${where}`;
  }
  return reason ? `${msg}: ${reason}` : msg;
}

/** 405: `create is not supported on resources of kind "pods"`. */
export function newMethodNotSupported(gr: GroupResource, action: string): ApiError {
  return new ApiError(failureStatus(405, 'MethodNotAllowed',
    `${action} is not supported on resources of kind ${q(groupResourceString(gr))}`, { group: gr.group, kind: gr.resource }));
}

/** 410 Gone with the given message. */
export function newGone(message: string): ApiError {
  return new ApiError(failureStatus(410, 'Gone', message));
}

/** 410 Expired with the given message (an expired watch or continue token). */
export function newResourceExpired(message: string): ApiError {
  return new ApiError(failureStatus(410, 'Expired', message));
}

/** 410 Expired: `too old resource version: 5 (10)` — requested, then the oldest the cache can serve minus one. */
export function newTooOldResourceVersion(requested: number | string, oldest: number | string): ApiError {
  return newResourceExpired(`too old resource version: ${requested} (${oldest})`);
}

/** 413: `Request entity too large: <message>`. */
export function newRequestEntityTooLarge(message: string): ApiError {
  return new ApiError(failureStatus(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`));
}

/** 429: `Too many requests: <message>`. */
export function newTooManyRequests(message: string, retryAfterSeconds = 0): ApiError {
  return new ApiError(failureStatus(429, 'TooManyRequests', `Too many requests: ${message}`, { retryAfterSeconds }));
}

/** 500: `Internal error occurred: <message>`, with the message as the single cause. */
export function newInternalError(err: Error | string): ApiError {
  const msg = typeof err === 'string' ? err : err.message;
  return new ApiError(failureStatus(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] }));
}

/** 503 with the given message. */
export function newServiceUnavailable(message: string): ApiError {
  return new ApiError(failureStatus(503, 'ServiceUnavailable', message));
}

/** 504: `Timeout: <message>`. */
export function newTimeout(message: string, retryAfterSeconds = 0): ApiError {
  return new ApiError(failureStatus(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds }));
}

/** 504 `Timeout: Too large resource version: 12, current: 10`, with a ResourceVersionTooLarge cause (storage.NewTooLargeResourceVersionError). */
export function newTooLargeResourceVersion(requested: number | string, current: number | string): ApiError {
  return new ApiError(failureStatus(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`,
    { retryAfterSeconds: 1, causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] }));
}

/** 500 ServerTimeout: `The create operation against pods could not be completed at this time, please try again.` */
export function newServerTimeout(gr: GroupResource, operation: string, retryAfterSeconds = 0): ApiError {
  return new ApiError(failureStatus(500, 'ServerTimeout',
    `The ${operation} operation against ${groupResourceString(gr)} could not be completed at this time, please try again.`,
    { name: operation, group: gr.group, kind: gr.resource, retryAfterSeconds }));
}

/** 406: `only the following media types are accepted: a, b`. */
export function newNotAcceptable(accepted: readonly string[]): ApiError {
  return new ApiError(failureStatus(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`));
}

/** 415: `the body of the request was in an unknown format - accepted media types include: a, b`. */
export function newUnsupportedMediaType(accepted: readonly string[]): ApiError {
  return new ApiError(failureStatus(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`));
}

/**
 * 422 Invalid as NewGenericServerResponse builds it, with `"details":{}`: what a JSON
 * patch that cannot be applied (failed test, missing path) is answered with.
 */
export function newGenericUnprocessable(): ApiError {
  return new ApiError(failureStatus(422, 'Invalid', 'the server rejected our request due to an error in our request', {}));
}

/** 500 with no reason and the raw message: how the server reports an error it did not classify. */
export function newUnclassified(message: string): ApiError {
  return new ApiError(failureStatus(500, '', message));
}
