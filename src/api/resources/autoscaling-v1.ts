// autoscaling/v1 HorizontalPodAutoscalers (what `kubectl autoscale` writes): the same objects
// as autoscaling/v2 (one stored version at /registry/horizontalpodautoscalers), served in the
// older shape through hpa-conversion.ts. Defaults and validation run on the stored v2 form.
import { type ResourceDef, statusSubresource } from './resource-def.js';
import { horizontalpodautoscalers } from './cluster-groups.js';
import { hpaV1ToV2, hpaV2ToV1 } from './hpa-conversion.js';
import { hpaTable } from '../tables/cluster-tables.js';

export const horizontalpodautoscalersV1: ResourceDef = {
  ...horizontalpodautoscalers, version: 'v1',
  subresources: [statusSubresource({ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' })],
  convert: { fromStorage: hpaV2ToV1, toStorage: hpaV1ToV2 },
  table: { columns: hpaTable.columns, cells: (o, now) => hpaTable.cells(hpaV1ToV2(o), now) },
};

export const autoscalingV1: ResourceDef[] = [horizontalpodautoscalersV1];
