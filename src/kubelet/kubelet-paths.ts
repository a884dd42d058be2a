// Where the kubelet keeps things under --root-dir, in upstream's layout:
//   ROOT/pods/UID/volumes/kubernetes.io~PLUGIN/NAME   volume contents
//   ROOT/logs/pods/NS_NAME_UID/CONTAINER/N.log        CRI logs (upstream: /var/log/pods)
//   ROOT/pki/kubelet.crt|key                          self-signed serving cert (--cert-dir)
import path from 'node:path';

export const podDir = (root: string, uid: string): string => path.join(root, 'pods', uid);
export const volumeDir = (root: string, uid: string, plugin: string, name: string): string =>
  path.join(podDir(root, uid), 'volumes', `kubernetes.io~${plugin}`, name);
export const podLogDir = (root: string, ns: string, name: string, uid: string): string =>
  path.join(root, 'logs', 'pods', `${ns}_${name}_${uid}`);
/** Relative to podLogDir, as CRI's ContainerConfig.log_path is. */
export const containerLogPath = (container: string, attempt: number): string => path.join(container, `${attempt}.log`);
