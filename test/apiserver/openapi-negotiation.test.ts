// Accept negotiation for the OpenAPI documents, as kube-openapi does it with goautoneg:
// clauses by q then specificity, the server's order among the offers a clause matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate } from '../../src/apiserver/discovery/openapi-http.js';

const JSON_T = 'application/json';
const PB_OLD = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PB = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const OFFERS = [JSON_T, PB_OLD, PB];

test('no header, wildcards and application/* get JSON first', () => {
  for (const a of [undefined, '', '*/*', '*', 'application/*']) assert.equal(negotiate(a, OFFERS), JSON_T, String(a));
});

test('client-go asks for the protobuf form by either spelling', () => {
  assert.equal(negotiate(PB_OLD, OFFERS), PB_OLD);
  assert.equal(negotiate(PB, OFFERS), PB);
  assert.equal(negotiate(`${PB_OLD}, application/json;q=0.5`, OFFERS), PB_OLD);
  assert.equal(negotiate(`application/json;q=0.5, ${PB}`, OFFERS), PB, 'higher q wins over header order');
  assert.equal(negotiate(`*/*, ${PB}`, OFFERS), PB, 'an exact type beats a wildcard at the same q');
});

test('unknown types and q=0 are not acceptable', () => {
  assert.equal(negotiate('application/com.github.proto-openapiv2.v2.v2.0+protobuf', OFFERS), undefined);
  assert.equal(negotiate('text/html', OFFERS), undefined);
  assert.equal(negotiate('application/json;q=0', OFFERS), undefined);
  assert.equal(negotiate('application/json;q=0, */*', [JSON_T]), JSON_T, 'goautoneg keeps the wildcard clause');
});
