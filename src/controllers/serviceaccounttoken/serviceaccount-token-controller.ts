// serviceaccount-token: fills Secrets of type kubernetes.io/service-account-token with a
// legacy token, the cluster CA (--root-ca-file) and the namespace; deletes such Secrets
// whose ServiceAccount is gone (or was recreated with another uid). Without
// --service-account-private-key-file it does not start, as upstream.
import fs from 'node:fs';
import type { Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { SECRETS, SERVICEACCOUNTS, deletedObject, isConflict, isNotFound, objectKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../manager/controller.js';
import { concurrency } from '../manager/options.js';
import { KeyedLoop, type SyncResult } from '../util/keyed-loop.js';
import { legacyToken, loadTokenSigner, type TokenSigner } from './legacy-token.js';

export const NAME = 'serviceaccount-token';
export const TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME = 'kubernetes.io/service-account.name';
export const SA_UID = 'kubernetes.io/service-account.uid';

export class ServiceAccountTokenController implements Controller {
  readonly name = NAME;
  private readonly loop: KeyedLoop;
  private readonly secrets: SharedInformer<Secret>;
  private readonly accounts: SharedInformer<ServiceAccount>;
  private signer?: TokenSigner;
  private rootCA?: string;

  constructor(private readonly ctx: ControllerContext) {
    this.secrets = ctx.informers.forResource(SECRETS);
    this.accounts = ctx.informers.forResource(SERVICEACCOUNTS);
    this.loop = new KeyedLoop(ctx, NAME, concurrency(ctx.options, 'serviceaccount-token'), (k) => this.sync(k));
    const secret = (s: Secret) => { if (s.type === TOKEN_TYPE) this.loop.add(objectKey(s)); };
    this.secrets.addEventHandler({ onAdd: secret, onUpdate: (_, s) => secret(s) });
    const account = (sa: ServiceAccount) => {
      for (const s of this.secrets.lister.namespace(sa.metadata!.namespace!).list()) if (s.type === TOKEN_TYPE && s.metadata?.annotations?.[SA_NAME] === sa.metadata!.name) this.loop.add(objectKey(s));
    };
    this.accounts.addEventHandler({ onAdd: account, onUpdate: (_, sa) => account(sa), onDelete: (sa) => account(deletedObject(sa)) });
  }

  async run(signal: AbortSignal): Promise<void> {
    const file = this.ctx.options.serviceAccountPrivateKeyFile;
    if (!file) { this.ctx.log(`skipping ${NAME}: no --service-account-private-key-file`); return; }
    try {
      this.signer = loadTokenSigner(file);
      if (this.ctx.options.rootCAFile) this.rootCA = fs.readFileSync(this.ctx.options.rootCAFile, 'utf8');
    } catch (err) {
      this.ctx.log(`${NAME}: ${(err as Error).message}`);
      return;
    }
    return this.loop.run(signal, [this.secrets, this.accounts]);
  }

  private async sync(key: string): Promise<SyncResult> {
    const s = this.secrets.lister.get(key);
    if (!s || s.type !== TOKEN_TYPE || s.metadata?.deletionTimestamp) return;
    const ns = s.metadata!.namespace!;
    const saName = s.metadata?.annotations?.[SA_NAME];
    const client = this.ctx.client.resource(SECRETS);
    let sa = saName ? this.accounts.lister.get(`${ns}/${saName}`) : undefined;
    const wantUID = s.metadata?.annotations?.[SA_UID];
    if (saName && (!sa || (wantUID && sa.metadata?.uid !== wantUID))) {
      // The cache may lag behind a just-created account: ask before deleting.
      try { sa = await this.ctx.client.resource(SERVICEACCOUNTS).get(ns, saName); } catch (err) { if (!isNotFound(err)) throw err; sa = undefined; }
    }
    if (!sa || (wantUID && sa.metadata?.uid !== wantUID)) {
      try { await client.delete(ns, s.metadata!.name!, { preconditions: { uid: s.metadata!.uid } }); } catch (err) { if (!isNotFound(err)) throw err; }
      this.ctx.log(`${NAME}: deleted ${key}: its service account ${ns}/${saName ?? ''} is gone`);
      return;
    }
    const data = { ...(s.data ?? {}) };
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    let changed = false;
    if (!data.token) { data.token = b64(await legacyToken(this.signer!, ns, { name: sa.metadata!.name!, uid: sa.metadata!.uid! }, s.metadata!.name!)); changed = true; }
    if (this.rootCA && data['ca.crt'] !== b64(this.rootCA)) { data['ca.crt'] = b64(this.rootCA); changed = true; }
    if (data.namespace !== b64(ns)) { data.namespace = b64(ns); changed = true; }
    const annotations = { ...(s.metadata?.annotations ?? {}) };
    if (annotations[SA_UID] !== sa.metadata!.uid) { annotations[SA_UID] = sa.metadata!.uid!; changed = true; }
    if (!changed) return;
    try {
      await client.update(ns, { ...s, metadata: { ...s.metadata, annotations }, data });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw new Error(`secret ${key} changed meanwhile; retrying`);
      throw err;
    }
  }
}

export const newServiceAccountTokenController = (ctx: ControllerContext): Controller => new ServiceAccountTokenController(ctx);
