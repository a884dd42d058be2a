/**
 * The metav1.Status object every API error is reported as. Field order and omitted
 * empty fields follow upstream's JSON encoding, which clients (kubectl) print verbatim.
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Upstream's StatusReason values with the HTTP code each one is sent with. */
export const StatusReasons = {
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Invalid: 422,
  ServerTimeout: 500,
  Timeout: 504,
  TooManyRequests: 429,
  BadRequest: 400,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  InternalError: 500,
  Expired: 410,
  ServiceUnavailable: 503,
} as const;

export type StatusReason = keyof typeof StatusReasons;

/** Builds a Failure Status, dropping empty detail fields the way `omitempty` does. */
export function failureStatus(code: number, reason: string, message: string, details?: StatusDetails): Status {
  // Assigned in upstream's field order: message, reason, details, code.
  const out: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' };
  if (message) out.message = message;
  if (reason) out.reason = reason;
  const d = details ? compactDetails(details) : undefined;
  if (d) out.details = d;
  out.code = code;
  return out as unknown as Status;
}

/** A Success Status, as returned by DELETE of some resources. */
export function successStatus(details?: StatusDetails): Status {
  const out: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  const d = details ? compactDetails(details) : undefined;
  if (d) out.details = d;
  out.code = 200;
  return out as unknown as Status;
}

function compactDetails(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length) {
    out.causes = d.causes.map((c) => {
      const cc: StatusCause = {};
      if (c.reason) cc.reason = c.reason;
      if (c.message) cc.message = c.message;
      if (c.field) cc.field = c.field;
      return cc;
    });
  }
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  // Upstream sends `"details":{}` when it set a details struct with nothing in it.
  return out;
}
