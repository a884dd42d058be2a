// EtcdError → gRPC status with etcd's exact message; anything else is an internal error.
import { status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { EtcdError } from '../errors.js';

export function toServiceError(err: unknown): Partial<ServiceError> & { code: status; details: string } {
  if (err instanceof EtcdError) return { code: err.code, details: err.message, metadata: new Metadata() };
  const message = err instanceof Error ? err.message : String(err);
  return { code: status.UNKNOWN, details: message, metadata: new Metadata() };
}

export function isEtcdError(err: unknown): err is EtcdError {
  return err instanceof EtcdError;
}
