// In-tree volume plugins whose volumes are served by a CSI driver once a node says so
// (CSINode annotation storage.alpha.kubernetes.io/migrated-plugins): which driver, and a
// handle that names the same disk whether it appears inline, in a PV, or is provisioned.
import type { PersistentVolume, Volume } from 'kubernetes-types/core/v1.js';

export const MIGRATED_PLUGINS_ANNOTATION = 'storage.alpha.kubernetes.io/migrated-plugins';

const DRIVERS: Record<string, string> = {
  'kubernetes.io/aws-ebs': 'ebs.csi.aws.com',
  'kubernetes.io/gce-pd': 'pd.csi.storage.gke.io',
  'kubernetes.io/azure-disk': 'disk.csi.azure.com',
  'kubernetes.io/cinder': 'cinder.csi.openstack.org',
};

export interface Migrated { plugin: string; driver: string; handle: string }

type Source = Pick<Volume, 'awsElasticBlockStore' | 'gcePersistentDisk' | 'azureDisk' | 'cinder'>;

function fromSource(s: Source): Migrated | undefined {
  const m = (plugin: string, handle: string) => ({ plugin, driver: DRIVERS[plugin], handle });
  // aws://zone/vol-123 and vol-123 are the same volume.
  if (s.awsElasticBlockStore) return m('kubernetes.io/aws-ebs', s.awsElasticBlockStore.volumeID.split('/').pop()!);
  if (s.gcePersistentDisk) return m('kubernetes.io/gce-pd', `projects/UNSPECIFIED/zones/UNSPECIFIED/disks/${s.gcePersistentDisk.pdName}`);
  if (s.azureDisk) return m('kubernetes.io/azure-disk', s.azureDisk.diskURI);
  if (s.cinder) return m('kubernetes.io/cinder', s.cinder.volumeID);
  return undefined;
}

export const inlineMigratedVolume = (v: Volume): Migrated | undefined => fromSource(v);
export const migratedPV = (pv: PersistentVolume): Migrated | undefined => (pv.spec ? fromSource(pv.spec as Source) : undefined);

/** The CSI driver a class's provisioner stands for, and the in-tree plugin when it is one. */
export function provisionerDriver(provisioner: string): { driver: string; plugin?: string } {
  const d = DRIVERS[provisioner];
  return d ? { driver: d, plugin: provisioner } : { driver: provisioner };
}
