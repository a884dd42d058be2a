// The selector check of lists and watches: label and field terms (=, !=) on the fields a
// resource offers, metadata.name/namespace everywhere, a missing field read as "".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pods } from '../../src/api/resources/core-v1.js';
import { parseFieldSelector, parseLabelSelector } from '../../src/api/selectors/index.js';
import { selectorMatcher } from '../../src/apiserver/registry/selector-matcher.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'dev', labels: { app: 'web', tier: 'fe' } },
  spec: { nodeName: 'n1', containers: [] }, status: { phase: 'Running' } };
const supported = Object.keys(pods.fieldSelectors ?? {});
const m = (labels?: string, fields?: string) => selectorMatcher(pods, {
  labelSelector: labels ? parseLabelSelector(labels) : undefined, fieldSelector: fields ? parseFieldSelector(fields, supported) : undefined,
})(pod);

test('label and field selectors: =, !=, set terms, metadata fields, a missing field', () => {
  assert.equal(m(), true);
  assert.equal(m('app=web'), true);
  assert.equal(m('app=web,tier!=fe'), false);
  assert.equal(m('app in (web, api)', 'spec.nodeName=n1'), true);
  assert.equal(m(undefined, 'spec.nodeName=n2'), false);
  assert.equal(m(undefined, 'status.phase!=Succeeded,status.phase!=Failed'), true);
  assert.equal(m(undefined, 'status.phase!=Running'), false);
  assert.equal(m(undefined, 'metadata.name=a,metadata.namespace=dev'), true);
  assert.equal(m(undefined, 'metadata.namespace!=dev'), false);
  assert.equal(m(undefined, 'spec.schedulerName='), true, 'a missing field is ""');
  assert.equal(m('!tier'), false);
  assert.equal(selectorMatcher(pods, {})(undefined), false);
});
