import assert from 'node:assert/strict';
import { test } from 'node:test';
import { World, node, pod } from './world.js';
import { imageScore } from '../../../src/scheduler/plugins/image-locality/image-locality.js';

const MB = 1024 * 1024;
test('ImageLocality prefers nodes holding the image, scaled by size and spread', () => {
  const img = (names: string[], mb: number) => ({ names, sizeBytes: mb * MB });
  const w = new World(undefined, [
    node('has', { images: [img(['docker.io/library/busybox:latest'], 500)] }),
    node('none'),
  ]);
  const s = w.scores(pod('p')).get('ImageLocality')!;
  assert.ok(s.get('has')! > 0);
  assert.equal(s.get('none'), 0);
  assert.equal(imageScore(0, 1), 0);
  assert.equal(imageScore(1000 * MB, 1), 100);
  assert.equal(imageScore(2000 * MB, 2), 100);
});
