// A CertificateSigningRequest records who asked for it: on create the API server sets
// spec.username, uid, groups and extra from the authenticated requester (whatever the body
// said), as upstream's CSR strategy does; approvers (csrapproving's SubjectAccessReview,
// a person running kubectl certificate approve) judge the request by them.
import type { KubeObject, ResourceDef } from '../../api/resources/resource-def.js';
import type { UserInfo } from '../authn/user-info.js';

export function stampRequester(def: ResourceDef, obj: KubeObject, user: UserInfo): void {
  if (def.group !== 'certificates.k8s.io' || def.plural !== 'certificatesigningrequests' || !obj || typeof obj !== 'object') return;
  obj.spec = { ...(obj.spec ?? {}), username: user.name, uid: user.uid || undefined, groups: user.groups, extra: user.extra && Object.keys(user.extra).length ? user.extra : undefined };
}
