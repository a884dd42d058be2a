// The resource metrics provider's arithmetic (pure logic): Prometheus text samples in, CPU
// rates over the two newest samples out, as metrics-server computes them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsStore } from '../../src/apiserver/metrics-api/metrics-store.js';
import { parsePromText } from '../../src/apiserver/metrics-api/prometheus-text.js';

const scrape = (t: number, nodeCpu: number, cpu: number, start = 100) => parsePromText([
  '# TYPE node_cpu_usage_seconds_total counter',
  `node_cpu_usage_seconds_total ${nodeCpu} ${t}`,
  `node_memory_working_set_bytes 2048 ${t}`,
  `container_cpu_usage_seconds_total{container="c",namespace="ns",pod="p"} ${cpu} ${t}`,
  `container_memory_working_set_bytes{container="c",namespace="ns",pod="p"} 1.048576e+06 ${t}`,
  `container_start_time_seconds{container="c",namespace="ns",pod="p"} ${start} ${start * 1000}`,
].join('\n'));

describe('resource metrics store', () => {
  it('parses labels (escaped quotes too), values and timestamps; skips comments', () => {
    const [s] = parsePromText('# HELP x y\nm{a="1",b="q\\"uote"} 2.5e+00 1700000000000\n');
    assert.deepEqual(s, { name: 'm', labels: { a: '1', b: 'q"uote' }, value: 2.5, timestamp: 1700000000000 });
  });

  it('needs two samples; the rate is Δcpu/Δt and the window Δt', () => {
    const m = new MetricsStore();
    m.record('n', scrape(10_000, 50, 1));
    assert.equal(m.nodeUsage('n'), undefined);
    assert.equal(m.podUsage('ns', 'p'), undefined);
    m.record('n', scrape(12_000, 51, 1.5));
    assert.deepEqual(m.nodeUsage('n'), { nanoCores: 0.5e9, memoryBytes: 2048, timestamp: 12_000, windowMs: 2000 });
    assert.deepEqual(m.podUsage('ns', 'p'), [{ name: 'c', nanoCores: 0.25e9, memoryBytes: 1048576, timestamp: 12_000, windowMs: 2000 }]);
    // a scrape that brings no newer sample changes nothing
    m.record('n', scrape(12_000, 51, 1.5));
    assert.equal(m.podUsage('ns', 'p')![0].windowMs, 2000);
  });

  it('a restarted container (new start time) or a counter going back has no usage until the next sample', () => {
    const m = new MetricsStore();
    m.record('n', scrape(1000, 1, 5));
    m.record('n', scrape(2000, 2, 0.1, 200));
    assert.equal(m.podUsage('ns', 'p'), undefined);
    m.record('n', scrape(3000, 3, 0.6, 200));
    assert.equal(m.podUsage('ns', 'p')![0].nanoCores, 0.5e9);
    m.record('n', scrape(4000, 4, 0.2, 200));
    assert.equal(m.podUsage('ns', 'p'), undefined);
  });

  it('forgets pods a node no longer reports, and nodes that are gone', () => {
    const m = new MetricsStore();
    m.record('n', scrape(1000, 1, 1));
    m.record('n', scrape(2000, 2, 2));
    m.record('n', parsePromText('node_cpu_usage_seconds_total 3 3000\nnode_memory_working_set_bytes 1 3000\n'));
    assert.equal(m.podUsage('ns', 'p'), undefined);
    assert.ok(m.nodeUsage('n'));
    m.forget('n');
    assert.equal(m.nodeUsage('n'), undefined);
  });
});
