// csrsigning: issues the certificate of every approved request addressed to a built-in
// kubernetes.io signer, with the CA given by --cluster-signing-cert-file and
// --cluster-signing-key-file. A request the signer will not sign gets a Failed condition
// (reason SignerValidationFailure) instead, as upstream. Without the files it does nothing.
import fs from 'node:fs';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { isConflict, isNotFound, type SharedInformer } from '../../../client/index.js';
import type { Controller, ControllerContext } from '../../manager/controller.js';
import { KeyedLoop, type SyncResult } from '../../util/keyed-loop.js';
import { CSRS } from '../../util/resource-types.js';
import { csrState, parseRequest } from '../csr-request.js';
import { issueCertificate, loadCA, type ClusterCA } from './issue-certificate.js';
import { SIGNERS, signerProblem } from './signer-policy.js';

export const NAME = 'csrsigning';

export class CSRSigningController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly csrs: SharedInformer<CertificateSigningRequest>;
  private ca?: Promise<ClusterCA>;

  constructor(private readonly ctx: ControllerContext) {
    this.csrs = ctx.informers.forResource(CSRS);
    this.loop = new KeyedLoop(ctx, NAME, 5, (k) => this.sync(k));
    this.csrs.addEventHandler({ onAdd: (c) => this.loop.add(c.metadata!.name!), onUpdate: (_, c) => this.loop.add(c.metadata!.name!) });
  }

  async run(signal: AbortSignal): Promise<void> {
    const { clusterSigningCertFile: certFile, clusterSigningKeyFile: keyFile } = this.ctx.options;
    if (!certFile || !keyFile) { this.ctx.log(`skipping ${NAME}: --cluster-signing-cert-file and --cluster-signing-key-file are not set`); return; }
    // Read now so a bad file is reported at start; re-read on failure.
    this.ca = loadCA(fs.readFileSync(certFile, 'utf8'), fs.readFileSync(keyFile, 'utf8'));
    try { await this.ca; } catch (err) { this.ctx.log(`${NAME}: cannot load the signing CA: ${(err as Error).message}`); return; }
    return this.loop.run(signal, [this.csrs]);
  }

  private async sync(name: string): Promise<SyncResult> {
    const csr = this.csrs.lister.get(name);
    if (!csr || csrState(csr) !== 'Approved' || !SIGNERS.includes(csr.spec.signerName)) return;
    const client = this.ctx.client.resource(CSRS);
    let status: CertificateSigningRequest['status'];
    let problem: string | undefined;
    let req;
    try { req = parseRequest(csr); } catch (err) { problem = `unable to parse csr: ${(err as Error).message}`; }
    problem ??= signerProblem(csr, req!);
    if (problem) {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      status = { ...csr.status, conditions: [...(csr.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: now, lastTransitionTime: now }] };
    } else {
      const pem = await issueCertificate(await this.ca!, csr, req!, this.ctx.options.clusterSigningDurationMs);
      status = { ...csr.status, certificate: Buffer.from(pem).toString('base64') };
    }
    try {
      await client.updateStatus('', { ...csr, status });
      this.ctx.log(`${NAME}: ${problem ? `refused ${name}: ${problem}` : `signed ${name}`}`);
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw new Error(`csr ${name} changed meanwhile; retrying`);
      throw err;
    }
  }
}

export const newCSRSigningController = (ctx: ControllerContext): Controller => new CSRSigningController(ctx);
