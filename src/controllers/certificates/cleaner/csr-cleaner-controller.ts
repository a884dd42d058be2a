// csrcleaner: deletes certificate requests that have served their purpose — issued or
// approved ones after an hour, denied or failed ones after an hour, pending ones after a
// day, and any whose issued certificate has expired — checking every hour, as upstream.
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { isNotFound, type SharedInformer } from '../../../client/index.js';
import type { Controller, ControllerContext } from '../../manager/controller.js';
import { CSRS } from '../../util/resource-types.js';
import { csrState } from '../csr-request.js';
import { x509 } from '../x509.js';

export const NAME = 'csrcleaner';
const PERIOD_MS = 3_600_000;
const HOUR = 3_600_000;

export function expired(csr: CertificateSigningRequest, now: number): boolean {
  const created = Date.parse(csr.metadata?.creationTimestamp ?? '') || now;
  const age = now - created;
  const state = csrState(csr);
  if (state === 'Issued') {
    try {
      const cert = new x509.X509Certificate(Buffer.from(csr.status!.certificate!, 'base64').toString('utf8'));
      if (cert.notAfter.getTime() < now) return true;
    } catch { /* an unreadable certificate is judged by age alone */ }
    return age > HOUR;
  }
  if (state === 'Pending') return age > 24 * HOUR;
  return age > HOUR;
}

export class CSRCleanerController implements Controller {
  readonly name = NAME;
  private readonly csrs: SharedInformer<CertificateSigningRequest>;

  constructor(private readonly ctx: ControllerContext) {
    this.csrs = ctx.informers.forResource(CSRS);
  }

  async run(signal: AbortSignal): Promise<void> {
    try { await this.csrs.waitForSync(signal); } catch { return; }
    while (!signal.aborted) {
      const now = Date.now();
      for (const c of this.csrs.lister.list()) {
        if (!expired(c, now)) continue;
        try {
          await this.ctx.client.resource(CSRS).delete('', c.metadata!.name!, { preconditions: { uid: c.metadata!.uid } });
          this.ctx.log(`${NAME}: deleted ${c.metadata!.name} (${csrState(c)})`);
        } catch (err) { if (!isNotFound(err)) this.ctx.log(`${NAME}: ${(err as Error).message}`); }
      }
      await new Promise<void>((r) => { const t = setTimeout(r, PERIOD_MS); signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });
    }
  }
}

export const newCSRCleanerController = (ctx: ControllerContext): Controller => new CSRCleanerController(ctx);
