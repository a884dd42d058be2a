// A failed API call: the server's Status (code, reason, message, details) as an error.
// It is an ApiError, so the api/status helpers (hasReason, …) work on it too.
import { ApiError, failureStatus, type Status } from '../api/status/index.js';

/** client-go's reasonForError fallbacks when the body is not a Status. */
const REASON_BY_CODE: Record<number, [string, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Expired', 'the server has asked for the client to resync'],
  413: ['RequestEntityTooLarge', 'the server has rejected the request because it is too large'],
  415: ['UnsupportedMediaType', 'the server was unable to process the request as the content type is unsupported'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  500: ['InternalError', 'an error on the server has prevented the request from succeeding'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

export class ApiStatusError extends ApiError {
  constructor(status: Status, readonly method = '', readonly path = '') {
    super(status);
    this.name = 'ApiStatusError';
  }
}

/** Turns an HTTP failure into an ApiStatusError, using the body when it is a Status. */
export function errorFromResponse(code: number, body: string, method: string, path: string): ApiStatusError {
  try {
    const parsed = JSON.parse(body) as Partial<Status>;
    if (parsed && parsed.kind === 'Status' && typeof parsed.code === 'number') return new ApiStatusError(parsed as Status, method, path);
  } catch { /* not JSON: synthesized below */ }
  const [reason, message] = REASON_BY_CODE[code] ?? ['Unknown', `an error on the server ("${body.trim().slice(0, 200)}") has prevented the request from succeeding`];
  return new ApiStatusError(failureStatus(code, reason, message), method, path);
}

export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.code === 404 && err.reason !== 'Gone';
export const isAlreadyExists = (err: unknown): boolean => err instanceof ApiError && err.reason === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => err instanceof ApiError && err.reason === 'Conflict';
/** 410: a watch or list asked for a resourceVersion the store has compacted away. */
export const isGone = (err: unknown): boolean => err instanceof ApiError && err.code === 410;
