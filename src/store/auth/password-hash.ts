// Password hashing as etcd does it: bcrypt at the default cost (etcd's --bcrypt-cost, 10).
// The async forms yield to the event loop between rounds, so a login does not stall the server.
import bcrypt from 'bcryptjs';

export const DEFAULT_BCRYPT_COST = 10;

export function hashPassword(password: string, cost = DEFAULT_BCRYPT_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function passwordMatches(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
