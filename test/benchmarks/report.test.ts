import { expect } from 'chai';
import { renderMarkdown } from '../../benchmarks/report.js';
import type { RunResults } from '../../benchmarks/results.js';
import { escapeXml, renderSvg } from '../../benchmarks/svg.js';
import { summarise } from '../../benchmarks/stats.js';

function results(): RunResults {
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    quick: false,
    environment: 'Node test',
    rounds: 3,
    sliceMs: 10,
    durationMs: 1000,
    skipped: ['Redis rows: no Redis answers'],
    cases: [{
      id: 'json-1k',
      label: '1 KB JSON',
      bytes: 1092,
      rows: [
        { id: 'floor', label: 'floor <bare>', summary: summarise([0.01, 0.01]), ratioToFloor: 1, ratioToParsedFloor: 1.25 },
        { id: 'floor-parsed', label: 'parsed floor', summary: summarise([0.008]), ratioToFloor: 0.8, ratioToParsedFloor: 1 },
        { id: 'ahc-memory', label: 'ahc memory', summary: summarise([0.011, 0.011]), ratioToFloor: 1.1, ratioToParsedFloor: 1.375, probe: { intact: true, isolated: true } },
        { id: 'ahc-memory-frozen', label: 'ahc memory frozen', summary: summarise([0.009]), ratioToFloor: 0.9, ratioToParsedFloor: 1.125, probe: { intact: true, isolated: true } },
        { id: 'aci-memory', label: 'aci memory', summary: summarise([0.015]), ratioToFloor: 1.5, ratioToParsedFloor: 1.875, probe: { intact: true, isolated: false } },
      ],
    }],
    concurrency: [{ label: 'axios-http-cache, MemoryStore', requests: 100, originRequests: 1, allAnswered: true }],
    memory: [{ label: 'axios-http-cache, defaults (MemoryStore)', entries: 1000, bodyBytes: 1092, heapBytesPerEntry: 1700, externalBytesPerEntry: 100, retainedBytesPerEntry: 1800 }],
    emptyStore: { label: 'new MemoryStore({ maxEntries: 1e6, maxBytes: 1e9 })', bytes: 640 },
    misses: [
      { caseLabel: '1 KB JSON', missMs: 0.55, bareMs: 0.5, ratioToBare: 1.08, aciRatioToBare: 1.9, floorRatioToBare: 1.04 },
      { caseLabel: '100 KB JSON', missMs: 1.2, bareMs: 1.1, ratioToBare: 1.09, aciRatioToBare: undefined, floorRatioToBare: undefined },
    ],
    processes: {
      cold: [{ label: 'axios-http-cache, RedisStore', processes: 4, requests: 200, originRequests: 1, allAnswered: true }],
      hotKeys: [{ label: 'axios-http-cache, RedisStore', processes: 4, keys: 100, seconds: 10, hitsPerSecond: 12_345.4, p99Ms: 2.5, originRequests: 100, allAnswered: true }],
    },
    targets: [{ what: 'MemoryStore hit', target: '<= 1.15x floor', measured: '1.10x', met: true }],
  };
}

describe('benchmark report', () => {
  it('states every row’s ratio to both floors and whether caller mutation reaches the cache', () => {
    const markdown = renderMarkdown(results());
    expect(markdown).to.contain('| ahc memory | 11.0 µs | 11.0 µs | 90,909 | 1.10x | 1.38x | yes |');
    expect(markdown).to.contain('| ahc memory frozen | 9.0 µs | 9.0 µs | 111,111 | 0.90x | 1.13x | yes |');
    expect(markdown).to.contain('| aci memory | 15.0 µs | 15.0 µs | 66,667 | 1.50x | 1.88x | no: shares one object |');
    expect(markdown).to.contain('| floor <bare> | 10.0 µs | 10.0 µs | 100,000 | 1.00x (floor) | 1.25x |');
    expect(markdown).to.contain('| parsed floor | 8.0 µs | 8.0 µs | 125,000 | 0.80x | 1.00x (floor) |');
  });

  it('labels the frozen row in the chart with its ratio to each floor', () => {
    expect(renderSvg(results())).to.contain('9.0 µs · 0.90x string floor · 1.13x parsed floor');
  });

  it('reports the rows across processes: origin requests of the cold burst, and hits per second, p99 and origin requests on hot keys', () => {
    const markdown = renderMarkdown(results());
    expect(markdown).to.contain('| axios-http-cache, RedisStore | 4 | 200 | 1 | yes |');
    expect(markdown).to.contain('| axios-http-cache, RedisStore | 4 | 100 | 10 | 12,345 | 2.50 ms | 100 | yes |');
  });

  it('states each miss next to the bare request of the same run, with their ratio, and beside it the ratios of the other miss rows that ran', () => {
    const markdown = renderMarkdown(results());
    expect(markdown).to.contain('| 1 KB JSON | 550 µs | 500 µs | 1.08x | 1.90x | 1.04x |');
    expect(markdown).to.contain('| 100 KB JSON | 1.20 ms | 1.10 ms | 1.09x | — | — |');
  });

  it('states heap, external and retained bytes per entry, and what an empty store retains', () => {
    const markdown = renderMarkdown(results());
    expect(markdown).to.contain('| axios-http-cache, defaults (MemoryStore) | 1,000 | 1,092 | 1,700 | 100 | 1,800 | 1.65x |');
    expect(markdown).to.contain('Empty store, `new MemoryStore({ maxEntries: 1e6, maxBytes: 1e9 })`: 640 bytes.');
  });

  it('lists skipped rows with their reason', () => {
    expect(renderMarkdown(results())).to.contain('- Redis rows: no Redis answers');
  });

  it('draws one bar per row with the row’s label escaped for XML', () => {
    const svg = renderSvg(results());
    expect(svg.match(/<rect x="330"/g)).to.have.length(5);
    expect(svg).to.contain('floor &#60;bare&#62;');
    expect(svg).to.not.contain('floor <bare>');
  });

  it('escapes every XML metacharacter in chart text', () => {
    expect(escapeXml(`<a href="x">&'`)).to.equal('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });
});
