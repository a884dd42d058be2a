// Where the kubelet keeps things, in upstream's layout:
//   ROOT/pods/UID/volumes/kubernetes.io~PLUGIN/NAME   volume contents
//   ROOT/pods/UID/etc-hosts                           the pod's /etc/hosts
//   ROOT/pods/UID/containers/NAME/ATTEMPT             termination message files
//   LOGS/NS_NAME_UID/CONTAINER/N.log                  CRI logs (podLogsDir; upstream /var/log/pods)
//   ROOT/pki/kubelet.crt|key                          self-signed serving cert (--cert-dir)
import path from 'node:path';

export const DEFAULT_ROOT_DIR = '/var/lib/kubelet';
export const DEFAULT_POD_LOGS_DIR = '/var/log/pods';

/** /var/log/pods for the default root dir; ROOT/logs/pods for any other (so test and `up` nodes keep theirs apart). */
export const defaultPodLogsDir = (root: string): string =>
  (path.resolve(root) === DEFAULT_ROOT_DIR ? DEFAULT_POD_LOGS_DIR : path.join(root, 'logs', 'pods'));

export const podDir = (root: string, uid: string): string => path.join(root, 'pods', uid);
export const volumeDir = (root: string, uid: string, plugin: string, name: string): string =>
  path.join(podDir(root, uid), 'volumes', `kubernetes.io~${plugin}`, name);
export const etcHostsPath = (root: string, uid: string): string => path.join(podDir(root, uid), 'etc-hosts');
export const terminationMessageFile = (root: string, uid: string, container: string, attempt: number): string =>
  path.join(podDir(root, uid), 'containers', container, String(attempt));
export const podLogDir = (logsDir: string, ns: string, name: string, uid: string): string =>
  path.join(logsDir, `${ns}_${name}_${uid}`);
/** Relative to podLogDir, as CRI's ContainerConfig.log_path is. */
export const containerLogPath = (container: string, attempt: number): string => path.join(container, `${attempt}.log`);
