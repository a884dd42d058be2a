// --use-service-account-credentials (upstream's SAControllerClientBuilder): every controller
// talks to the API server as its own service account kube-system/NAME, with a token from
// the TokenRequest API that is renewed before it expires, so RBAC grants each loop only its
// system:controller:NAME role. Without the flag every controller shares the manager's own
// credentials (the simple builder). Informers always use the manager's own client.
import { RestClient, SERVICEACCOUNTS, isAlreadyExists, isNotFound, type ClientConfig } from '../../client/index.js';

/** Canonical controller name → the service account it runs as (upstream's ClientOrDie names). */
export const CONTROLLER_ACCOUNTS: Record<string, string> = {
  'replicaset-controller': 'replicaset-controller',
  'replicationcontroller-controller': 'replication-controller',
  'deployment-controller': 'deployment-controller',
  'namespace-controller': 'namespace-controller',
  'garbage-collector-controller': 'generic-garbage-collector',
  'serviceaccount-controller': 'service-account-controller',
  'root-ca-certificate-publisher-controller': 'root-ca-cert-publisher',
  'endpoints-controller': 'endpoint-controller',
  'endpointslice-controller': 'endpointslice-controller',
  'endpointslice-mirroring-controller': 'endpointslicemirroring-controller',
  'node-ipam-controller': 'node-controller',
  'node-lifecycle-controller': 'node-controller',
  // upstream: the taint manager "uses existing cluster role from node-controller"
  'taint-eviction-controller': 'node-controller',
  'pod-garbage-collector-controller': 'pod-garbage-collector',
  'job-controller': 'job-controller',
  'cronjob-controller': 'cronjob-controller',
  'ttl-after-finished-controller': 'ttl-after-finished-controller',
  'ttl-controller': 'ttl-controller',
  'daemonset-controller': 'daemon-set-controller',
  'statefulset-controller': 'statefulset-controller',
  'bootstrap-signer-controller': 'bootstrap-signer',
  'token-cleaner-controller': 'token-cleaner',
  'resourcequota-controller': 'resourcequota-controller',
  'horizontal-pod-autoscaler-controller': 'horizontal-pod-autoscaler',
  'disruption-controller': 'disruption-controller',
  'persistentvolume-binder-controller': 'persistent-volume-binder',
  'persistentvolume-attach-detach-controller': 'attachdetach-controller',
  'persistentvolume-expander-controller': 'expand-controller',
  'persistentvolumeclaim-protection-controller': 'pvc-protection-controller',
  'persistentvolume-protection-controller': 'pv-protection-controller',
  'ephemeral-volume-controller': 'ephemeral-volume-controller',
  'clusterrole-aggregation-controller': 'clusterrole-aggregation-controller',
  'certificatesigningrequest-signing-controller': 'certificate-controller',
  'certificatesigningrequest-approving-controller': 'certificate-controller',
  'certificatesigningrequest-cleaner-controller': 'certificate-controller',
  'legacy-serviceaccount-token-cleaner-controller': 'legacy-service-account-token-cleaner',
  'validatingadmissionpolicy-status-controller': 'validatingadmissionpolicy-status-controller',
  'service-lb-controller': 'service-controller',
  'node-route-controller': 'route-controller',
};

/** Controllers that keep the manager's own credentials even with the flag (they mint tokens). */
const ROOT_CONTROLLERS = new Set(['serviceaccount-token-controller']);

export const ACCOUNT_NAMESPACE = 'kube-system';
const TOKEN_SECONDS = 3600;

export interface ClientBuilder {
  /** The client the named controller writes through; may wait for its first token. */
  clientFor(controller: string, signal: AbortSignal): Promise<RestClient>;
  close(): void;
}

/** Every controller uses the manager's own client. */
export function simpleClientBuilder(root: RestClient): ClientBuilder {
  return { clientFor: async () => root, close: () => {} };
}

interface TokenRequestStatus { status?: { token?: string; expirationTimestamp?: string } }

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

export function serviceAccountClientBuilder(root: RestClient, rootConfig: ClientConfig, userAgent: string, log: (msg: string) => void): ClientBuilder {
  const clients = new Map<string, Promise<RestClient>>();
  const timers = new Set<NodeJS.Timeout>();
  const made: RestClient[] = [];
  const accounts = root.resource(SERVICEACCOUNTS);

  /** The account, made when missing (upstream creates it too, in kube-system). */
  async function ensureAccount(name: string): Promise<void> {
    try {
      await accounts.get(ACCOUNT_NAMESPACE, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await accounts.create(ACCOUNT_NAMESPACE, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ACCOUNT_NAMESPACE } });
      } catch (e) { if (!isAlreadyExists(e)) throw e; }
    }
  }

  async function requestToken(name: string): Promise<{ token: string; expires: number }> {
    await ensureAccount(name);
    const r = await root.create<TokenRequestStatus>(
      { group: '', version: 'v1', resource: 'serviceaccounts', namespace: ACCOUNT_NAMESPACE, name, subresource: 'token' },
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: TOKEN_SECONDS } } as TokenRequestStatus,
    );
    const token = r.status?.token;
    if (!token) throw new Error(`TokenRequest for ${ACCOUNT_NAMESPACE}/${name} returned no token`);
    const expires = Date.parse(r.status?.expirationTimestamp ?? '') || Date.now() + TOKEN_SECONDS * 1000;
    return { token, expires };
  }

  async function build(account: string, signal: AbortSignal): Promise<RestClient> {
    // Anonymous copy of the root config (no client certificate: the token alone names the caller).
    const config: ClientConfig = {
      server: rootConfig.server, ca: rootConfig.ca, insecureSkipTLSVerify: rootConfig.insecureSkipTLSVerify, tlsServerName: rootConfig.tlsServerName,
      namespace: rootConfig.namespace, qps: rootConfig.qps, burst: rootConfig.burst, userAgent: `${userAgent}/${account}`,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const t = await requestToken(account);
        config.token = t.token;
        break;
      } catch (err) {
        if (signal.aborted) throw err;
        log(`waiting for a token for ${ACCOUNT_NAMESPACE}/${account}: ${(err as Error).message}`);
        await sleep(Math.min(1000 * 2 ** attempt, 10_000), signal);
      }
    }
    const client = new RestClient(config);
    made.push(client);
    // The RestClient reads config.token on every request: renewing means swapping the string.
    const renew = (expires: number) => {
      const t = setTimeout(() => {
        timers.delete(t);
        requestToken(account).then((next) => { config.token = next.token; renew(next.expires); }, (err) => {
          log(`renewing the token of ${ACCOUNT_NAMESPACE}/${account}: ${(err as Error).message}`);
          renew(Date.now() + 12_500); // try again in 10 s
        });
      }, Math.max(1000, (expires - Date.now()) * 0.8));
      t.unref();
      timers.add(t);
    };
    renew(Date.now() + TOKEN_SECONDS * 1000);
    return client;
  }

  return {
    clientFor(controller, signal) {
      if (ROOT_CONTROLLERS.has(controller)) return Promise.resolve(root);
      const account = CONTROLLER_ACCOUNTS[controller];
      if (!account) {
        log(`no service account is known for ${controller}: it runs with the controller manager's own credentials`);
        return Promise.resolve(root);
      }
      let p = clients.get(account);
      if (!p) clients.set(account, (p = build(account, signal)));
      return p;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of made) c.close();
    },
  };
}
