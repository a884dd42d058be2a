// The authenticated caller, as upstream's user.Info.
export interface UserInfo { name: string; uid: string; groups: string[]; extra?: Record<string, string[]> }

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] };

export const AUTHENTICATED_GROUP = 'system:authenticated';
