// csrapproving: approves kubelet client certificate requests
// (kubernetes.io/kube-apiserver-client-kubelet) when a SubjectAccessReview says the
// requester may: `create certificatesigningrequests/selfnodeclient` for a node renewing its
// own certificate, or `create certificatesigningrequests/nodeclient` (system:bootstrappers
// and anyone bound to the nodeclient role) for a new one. Everything else is left for
// a person (`kubectl certificate approve`); nothing is ever denied here.
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { isConflict, isNotFound, type SharedInformer } from '../../../client/index.js';
import type { Controller, ControllerContext } from '../../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../../util/keyed-loop.js';
import { CSRS } from '../../util/resource-types.js';
import { KUBELET_CLIENT_SIGNER, csrState, parseRequest } from '../csr-request.js';
import { kubeletClientProblem } from './node-client-csr.js';

export const NAME = 'csrapproving';

interface SAR { status?: { allowed?: boolean; reason?: string } }

export class CSRApprovingController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly csrs: SharedInformer<CertificateSigningRequest>;

  constructor(private readonly ctx: ControllerContext) {
    this.csrs = ctx.informers.forResource(CSRS);
    this.loop = new KeyedLoop(ctx, NAME, 5, (k) => this.sync(k));
    this.csrs.addEventHandler({ onAdd: (c) => this.loop.add(c.metadata!.name!), onUpdate: (_, c) => this.loop.add(c.metadata!.name!) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.loop.run(signal, [this.csrs]);
  }

  private async allowed(csr: CertificateSigningRequest, subresource: string): Promise<boolean> {
    const s = csr.spec;
    const sar = await this.ctx.client.request<SAR>({
      method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: { user: s.username, uid: s.uid, groups: s.groups, extra: s.extra, resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource } },
      },
    });
    return sar.status?.allowed === true;
  }

  private async sync(name: string): Promise<SyncResult> {
    const csr = this.csrs.lister.get(name);
    if (!csr || csr.spec.signerName !== KUBELET_CLIENT_SIGNER || csrState(csr) !== 'Pending') return;
    let req;
    try { req = parseRequest(csr); } catch (err) { this.ctx.log(`${NAME}: ${name}: unable to parse csr: ${(err as Error).message}`); return; }
    if (kubeletClientProblem(csr, req)) return;
    const self = req.commonName === csr.spec.username;
    let message: string | undefined;
    if (self && await this.allowed(csr, 'selfnodeclient')) message = 'Auto approving self kubelet client certificate after SubjectAccessReview.';
    else if (await this.allowed(csr, 'nodeclient')) message = 'Auto approving kubelet client certificate after SubjectAccessReview.';
    if (!message) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const conditions = [...(csr.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message, lastUpdateTime: now, lastTransitionTime: now }];
    try {
      await this.ctx.client.update(this.ctx.client.resource(CSRS).ref('', name, 'approval'), { ...csr, status: { ...csr.status, conditions } });
      this.ctx.log(`${NAME}: approved ${name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw new Error(`csr ${name} changed meanwhile; retrying`);
      throw err;
    }
  }
}

export const newCSRApprovingController = (ctx: ControllerContext): Controller => new CSRApprovingController(ctx);
