// Every resource group the issue lists: one manifest creates one object of each kind; kubectl
// prints upstream's columns, defaults are filled, key validation refuses bad objects, and the
// pod subresources (eviction, log) and system priority classes behave as upstream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Cluster, manifest, startCluster } from '../apiserver/harness.js';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

const podTemplate = (app: string, restart = '') => `
    metadata: {labels: {app: ${app}}}
    spec:${restart ? `\n      restartPolicy: ${restart}` : ''}
      containers: [{name: main, image: busybox:1.36}]`;

const all = `apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {pods: "10", limits.cpu: "4"}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: lr}
spec: {limits: [{type: Container, max: {cpu: "2"}}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  replicas: 2
  template:${podTemplate('rc')}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /tmp/pv1}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tpl}
template:${podTemplate('tpl').replace(/\n {4}/g, '\n  ')}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sts}
spec:
  serviceName: sts
  selector: {matchLabels: {app: sts}}
  template:${podTemplate('sts')}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  selector: {matchLabels: {app: ds}}
  template:${podTemplate('ds')}
---
apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: rev1}
revision: 1
data: {spec: {}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job}
spec:
  template:${podTemplate('job', 'Never').replace('labels: {app: job}', 'labels: {x: y}')}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: main, image: busybox:1.36}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: slice}
addressType: IPv4
ports: [{port: 80}]
endpoints: [{addresses: [10.0.0.1]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: User, name: alice}, {kind: ServiceAccount, name: default, namespace: default}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:e2e"}
rules: [{nonResourceURLs: [/healthz], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:e2e"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:e2e"}
subjects: [{kind: Group, name: devs}]
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {minAvailable: 1, selector: {matchLabels: {app: guarded}}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local}
provisioner: kubernetes.io/no-provisioner
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: sts}, maxReplicas: 5}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing}
spec:
  rules:
  - host: example.test
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec: {podSelector: {matchLabels: {app: web}}}
`;

const header = (kind: string) => c.k('get', kind).split('\n')[0].trim().split(/\s{2,}/);

test('one of each kind is created and printed with upstream columns', () => {
  const out = c.k('apply', '-f', manifest(c, 'all.yaml', all));
  assert.equal(out.trim().split('\n').length, 22, out);
  const expect: Record<string, string[]> = {
    resourcequotas: ['NAME', 'AGE', 'REQUEST', 'LIMIT'],
    limitranges: ['NAME', 'CREATED AT'],
    rc: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    pv: ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'],
    pvc: ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
    podtemplates: ['NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS'],
    sts: ['NAME', 'READY', 'AGE'],
    ds: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
    controllerrevisions: ['NAME', 'CONTROLLER', 'REVISION', 'AGE'],
    jobs: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
    cj: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
    endpointslices: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
    roles: ['NAME', 'CREATED AT'],
    rolebindings: ['NAME', 'ROLE', 'AGE'],
    pc: ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY'],
    pdb: ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'],
    sc: ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
    hpa: ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'],
    ing: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
    netpol: ['NAME', 'POD-SELECTOR', 'AGE'],
  };
  for (const [kind, cols] of Object.entries(expect)) assert.deepEqual(header(kind), cols, kind);
  assert.match(c.k('get', 'quota', 'q'), /\nq\s+\S+\s+pods: 0\/10\s+limits.cpu: 0\/4\n/);
  assert.match(c.k('get', 'pv', 'pv1'), /\npv1\s+1Gi\s+RWO\s+Retain\s+Pending\s/);
  assert.match(c.k('get', 'rolebinding', 'reader', '-o', 'wide'), /reader\s+Role\/reader\s+\S+\s+alice\s+default\/default/);
  assert.match(c.k('get', 'ing', 'ing'), /\ning\s+<none>\s+example.test\s+80\s/);
  assert.match(c.k('get', 'cj', 'cron'), /\ncron\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s/);
  assert.match(c.k('get', 'clusterrole', 'system:e2e'), /system:e2e/);
});

test('upstream defaults are filled', () => {
  const json = (...a: string[]) => JSON.parse(c.k('get', ...a, '-o', 'json'));
  const rc = json('rc', 'rc');
  assert.deepEqual(rc.spec.selector, { app: 'rc' });
  assert.deepEqual(rc.metadata.labels, { app: 'rc' });
  const sts = json('sts', 'sts');
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(json('ds', 'ds').spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  const job = json('job', 'job');
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completions, 1);
  assert.equal(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], job.metadata.uid);
  assert.equal(job.spec.template.metadata.labels['job-name'], 'job');
  const cj = json('cj', 'cron');
  assert.deepEqual([cj.spec.concurrencyPolicy, cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit], ['Allow', 3, 1]);
  assert.equal(json('pvc', 'claim').spec.volumeMode, 'Filesystem');
  assert.deepEqual(json('limitranges', 'lr').spec.limits[0].default, { cpu: '2' });
  assert.equal(json('pc', 'high').preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual([json('sc', 'local').reclaimPolicy, json('sc', 'local').volumeBindingMode], ['Delete', 'Immediate']);
  const hpa = json('hpa', 'hpa');
  assert.equal(hpa.spec.minReplicas, 1);
  assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 80);
  assert.deepEqual(json('netpol', 'deny').spec.policyTypes, ['Ingress']);
  assert.equal(json('endpointslices', 'slice').ports[0].protocol, 'TCP');
  assert.equal(json('rolebinding', 'reader').subjects[0].apiGroup, 'rbac.authorization.k8s.io');
});

test('key validation refuses bad objects with upstream messages', () => {
  const refuse = (name: string, text: string, re: RegExp) => {
    const r = c.kubectl(['create', '-f', manifest(c, name, text)]);
    assert.notEqual(r.code, 0, name);
    assert.match(r.stderr, re);
  };
  refuse('job.yaml', 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: bad}\nspec: {template: {spec: {containers: [{name: a, image: b}]}}}\n',
    /Job "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
  refuse('pc.yaml', 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: system-mine}\nvalue: 5\n', /priority class names with 'system-' prefix are reserved/);
  refuse('rb.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: bad}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Pod, name: x}\n',
    /roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"/);
  refuse('pvc.yaml', 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: bad}\nspec: {resources: {requests: {storage: 1Gi}}}\n',
    /spec.accessModes: Required value: at least 1 access mode is required/);
  refuse('pv.yaml', 'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: bad}\nspec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce]}\n',
    /spec: Required value: must specify a volume type/);
  refuse('hpa.yaml', 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: bad}\nspec: {scaleTargetRef: {kind: Deployment, name: x}, maxReplicas: 0}\n',
    /spec.maxReplicas: Invalid value: 0: must be greater than 0/);
  refuse('es.yaml', 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: bad}\naddressType: IPv5\n', /addressType: Unsupported value: "IPv5"/);
  refuse('cj.yaml', 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: bad}\nspec: {jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: b}]}}}}}\n',
    /spec.schedule: Required value/);
  const roleRef = c.kubectl(['patch', 'rolebinding', 'reader', '--type', 'merge', '-p', '{"roleRef":{"name":"other"}}']);
  assert.match(roleRef.stderr, /roleRef: Invalid value: .*cannot change roleRef/);
});

test('system priority classes exist at start; scale works on replication controllers and statefulsets', () => {
  assert.equal(c.k('get', 'pc', 'system-node-critical', '-o', 'jsonpath={.value}'), '2000001000');
  assert.equal(c.k('get', 'pc', 'system-cluster-critical', '-o', 'jsonpath={.value}'), '2000000000');
  assert.match(c.k('scale', 'rc', 'rc', '--replicas=4'), /replicationcontroller\/rc scaled/);
  assert.equal(c.k('get', 'rc', 'rc', '-o', 'jsonpath={.spec.replicas}'), '4');
  assert.match(c.k('scale', 'sts', 'sts', '--replicas=3'), /statefulset.apps\/sts scaled/);
  assert.equal(c.k('get', 'sts', 'sts', '-o', 'jsonpath={.spec.replicas}'), '3');
  assert.equal(c.k('get', 'rc', '--field-selector', 'status.replicas=0', '-o', 'name'), 'replicationcontroller/rc\n');
});

test('pods/log answers before a kubelet exists; pods/eviction honours disruption budgets', () => {
  c.k('run', 'guarded', '--image', 'busybox:1.36', '--labels', 'app=guarded');
  assert.equal(c.k('logs', 'guarded'), '', 'an unscheduled pod has no log yet');
  const noSuch = c.kubectl(['logs', 'guarded', '-c', 'nope']);
  assert.match(noSuch.stderr, /container nope is not valid for pod guarded/);
  // A running pod covered by a budget that allows no disruption cannot be evicted (429).
  c.k('patch', 'pod', 'guarded', '--subresource', 'status', '--type', 'merge', '-p', '{"status":{"phase":"Running"}}');
  const evict = (body: string) => c.kubectl(['create', '--raw', '/api/v1/namespaces/default/pods/guarded/eviction', '-f', '-'], body);
  const body = '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"guarded","namespace":"default"}}';
  const refused = evict(body);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Cannot evict pod as it would violate the pod's disruption budget|TooManyRequests|429/);
  c.k('get', 'pod', 'guarded');
  c.k('patch', 'pdb', 'pdb', '--subresource', 'status', '--type', 'merge', '-p', '{"status":{"disruptionsAllowed":1,"observedGeneration":1}}');
  const ok = evict(body);
  assert.equal(ok.code, 0, ok.stderr);
  assert.notEqual(c.kubectl(['get', 'pod', 'guarded']).code, 0, 'evicted pod is gone');
  assert.equal(c.k('get', 'pdb', 'pdb', '-o', 'jsonpath={.status.disruptionsAllowed}'), '0');
});
