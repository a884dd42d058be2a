/**
 * The error thrown anywhere in the API machinery: it carries the Status that the
 * server writes back, with the Status code as the HTTP status.
 */
import { failureStatus, type Status } from './status.js';

export class ApiError extends Error {
  readonly status: Status;

  constructor(status: Status) {
    super(status.message ?? status.reason ?? 'unknown error');
    this.name = 'ApiError';
    this.status = status;
  }

  /** HTTP status code. */
  get code(): number {
    return this.status.code;
  }

  /** Upstream reason, e.g. `NotFound`. */
  get reason(): string {
    return this.status.reason ?? '';
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** True when `err` is an ApiError with the given reason (e.g. `'NotFound'`). */
export function hasReason(err: unknown, reason: string): boolean {
  return err instanceof ApiError && err.reason === reason;
}

/** Status for anything thrown: an ApiError's own, or a 500 InternalError otherwise. */
export function statusFromError(err: unknown): Status {
  if (err instanceof ApiError) return err.status;
  const msg = err instanceof Error ? err.message : String(err);
  return failureStatus(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
}
