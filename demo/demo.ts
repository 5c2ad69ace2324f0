/**
 * The classic requests-cache demonstration, for axios: a local API that takes one second per answer,
 * 60 identical requests through a cached axios instance (default memory store), and the totals.
 *
 *   npm run demo            (DEMO_REQUESTS and DEMO_DELAY_MS change the numbers)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { attachCache } from '../lib/index.js';

const REQUESTS = Number(process.env.DEMO_REQUESTS ?? 60);
const DELAY_MS = Number(process.env.DEMO_DELAY_MS ?? 1000);

// A slow API on 127.0.0.1: every answer takes DELAY_MS and allows caching for three minutes.
let originRequests = 0;
const server = createServer((req, res) => {
  originRequests += 1;
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=180' });
    res.end(JSON.stringify({ url: req.url, servedAt: new Date().toISOString(), users: [{ login: 'ada', location: 'Paris' }] }));
  }, DELAY_MS);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const api = axios.create({ baseURL: `http://127.0.0.1:${port}` });
const cache = attachCache(api);

console.log(`A local API on 127.0.0.1:${port} answers after ${DELAY_MS} ms. ${REQUESTS} identical requests through attachCache():\n`);
const started = performance.now();
for (let i = 1; i <= REQUESTS; i++) {
  const t0 = performance.now();
  const response = await api.get('/search/users', { params: { q: 'location:Paris' } });
  const ms = performance.now() - t0;
  const source = response.fromCache ? 'cache  ' : 'network';
  console.log(`request ${String(i).padStart(2)}  ${source}  ${ms.toFixed(ms < 10 ? 3 : 0).padStart(8)} ms  (${response.cacheInfo?.status ?? '?'})`);
}
const totalMs = performance.now() - started;
const stats = cache.stats();

console.log(`\nTotal: ${(totalMs / 1000).toFixed(2)} s for ${REQUESTS} requests (${originRequests} reached the API).`);
console.log(`Without the cache: about ${((REQUESTS * DELAY_MS) / 1000).toFixed(0)} s (${REQUESTS} × ${DELAY_MS} ms).`);
console.log(`Hits: ${stats.hits}, misses: ${stats.misses}, hit ratio ${(stats.hitRatio * 100).toFixed(1)} %.`);
server.close();
