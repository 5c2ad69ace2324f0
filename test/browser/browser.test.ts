/**
 * Real-browser tests (issue 6): builds the page bundle, serves it with a local API on 127.0.0.1 and
 * drives Debian's /usr/bin/chromium headless with playwright-core (never a downloaded browser).
 * Without Chromium the suite is skipped locally and fails when CI=true.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from './support/server.js';
import type { PageResults } from './page/report.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OUTPUT_DIR = join(HERE, 'output');
const CHROMIUM_PATH = '/usr/bin/chromium';
const IDB_QUOTA_BYTES = 2_000_000;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface BuildModule {
  buildBrowser(this: void): Promise<{ outputDir: string; core: { minifiedBytes: number; gzippedBytes: number } }>;
  checkEntry(this: void, entryPoint: string): Promise<unknown>;
}

const loadBuildScript = async (): Promise<BuildModule> =>
  (await import(pathToFileURL(resolve(HERE, '../../scripts/build-browser.mjs')).href)) as BuildModule;

const rejectionOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe('browser build check (scripts/build-browser.mjs)', function () {
  this.timeout(120_000);

  it('refuses a module that imports a Node built-in, naming the importer', async () => {
    const { checkEntry } = await loadBuildScript();
    const error = await rejectionOf(checkEntry(join(HERE, 'fixtures/imports-node-builtin.ts')));
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/node:fs/).and.to.match(/imports-node-builtin\.ts/);
  });

  it('refuses free references to Buffer and process, naming file and line', async () => {
    const { checkEntry } = await loadBuildScript();
    const error = await rejectionOf(checkEntry(join(HERE, 'fixtures/uses-node-globals.ts')));
    expect((error as Error).message).to.match(/uses-node-globals\.ts:2: .*'Buffer'/).and.to.match(/uses-node-globals\.ts:3: .*'process'/);
  });

  it('accepts feature detection of Buffer through globalThis', async () => {
    const { checkEntry } = await loadBuildScript();
    expect(await rejectionOf(checkEntry(join(HERE, 'fixtures/detects-buffer.ts')))).to.equal(undefined);
  });
});

/** A new tab with Chromium's own HTTP cache off (it sits under axios), so origin hit counts show what the library did. */
async function openTab(context: BrowserContext, url: string, pageErrors: string[]): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
  await page.goto(url);
  return page;
}

/** Waits for the page run to finish, saves a screenshot and returns `window.__results`. */
async function runPhase(page: Page, name: string): Promise<PageResults> {
  await page.waitForFunction(() => window.__results?.done === true, undefined, { timeout: 240_000 });
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), fullPage: true });
  const results = await page.evaluate(() => window.__results);
  await writeFile(join(OUTPUT_DIR, `${name}.json`), JSON.stringify(results, null, 2));
  return results;
}

/** Asserts that the page ran checks whose names start with `prefix`, and that all passed. */
function expectChecks(results: PageResults | undefined, prefix: string, minimum = 1): void {
  const matching = (results?.checks ?? []).filter((item) => item.name.startsWith(prefix));
  expect(matching.length, `checks starting with "${prefix}" in phase ${results?.phase ?? '?'}`).to.be.at.least(minimum);
  for (const item of matching) expect(item.ok, `${item.name}: ${item.detail}`).to.equal(true);
}

describe('in a real Chromium (playwright-core, /usr/bin/chromium)', function () {
  this.timeout(300_000);
  let server: TestServer | undefined;
  let quotaServer: TestServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let first: PageResults | undefined;
  let reloaded: PageResults | undefined;
  let secondTab: PageResults | undefined;
  let tabWrite: { writer: unknown; reader: unknown } | undefined;
  let idbQuota: PageResults | undefined;
  const pageErrors: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM_PATH)) {
      if (process.env['CI'] === 'true') throw new Error(`${CHROMIUM_PATH} is missing: CI must install it (apt-get install -y chromium)`);
      console.warn(`    skipping the real-browser tests: ${CHROMIUM_PATH} is not installed (apt-get install -y chromium)`);
      this.skip();
    }
    await mkdir(OUTPUT_DIR, { recursive: true });
    const { buildBrowser } = await loadBuildScript();
    const { outputDir } = await buildBrowser();
    server = await startTestServer(outputDir);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    const page = await openTab(context, `${server.origin}/?phase=first`, pageErrors);
    first = await runPhase(page, 'first');
    // A real reload of the same tab, with the phase switched in the URL first.
    await page.evaluate(() => history.replaceState(null, '', '?phase=reload'));
    await page.reload();
    reloaded = await runPhase(page, 'reload');
    const tab = await openTab(context, `${server.origin}/?phase=tab`, pageErrors);
    secondTab = await runPhase(tab, 'tab');
    const writer = await tab.evaluate(() => window.__request('indexedDB', '/api/tab-write'));
    const reader = await page.evaluate(() => window.__request('indexedDB', '/api/tab-write'));
    tabWrite = { writer, reader };
    await tab.close();
    // A small real quota for IndexedDB, set through the DevTools protocol. Chromium applies it only to an
    // origin whose storage has not been used yet, so this run gets a second server (another port).
    quotaServer = await startTestServer(outputDir);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: quotaServer.origin, quotaSize: IDB_QUOTA_BYTES });
    await page.goto(`${quotaServer.origin}/?phase=idb-quota`);
    idbQuota = await runPhase(page, 'idb-quota');
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await quotaServer?.close();
  });

  it('finishes every page run without an uncaught error (so no ReferenceError for process or Buffer)', () => {
    expect(pageErrors).to.deep.equal([]);
    for (const results of [first, reloaded, secondTab]) expect(results?.fatal, results?.phase).to.equal(undefined);
    expectChecks(first, 'no Node globals in the page');
  });

  it('caches responseType stream with the fetch adapter: a ReadableStream read whole is stored, a hit is a ReadableStream of the same bytes, and it never answers an arraybuffer request', () => {
    expectChecks(first, 'stream: ', 3);
  });

  it('answers the second identical request from memory: a miss, then fromCache', () => {
    expectChecks(first, 'memory: ', 3);
  });

  it('sends a request with cache: false to the network', () => {
    expectChecks(first, 'cache: false goes to the network');
    expectChecks(first, 'the origin saw two requests');
    expect(server?.hits('/api/items?id=1')).to.equal(2);
  });

  it('passes the store contract suite for WebStorageStore over localStorage and for IndexedDBStore', () => {
    const contract = first?.contract;
    expect(contract?.failed, JSON.stringify(contract?.failed, null, 2)).to.deep.equal([]);
    for (const suite of ['WebStorageStore over localStorage (store contract)', 'IndexedDBStore (store contract)']) {
      expect(contract?.passed.filter((title) => title.startsWith(suite)).length, suite).to.be.at.least(15);
    }
  });

  it('stores binary bodies in IndexedDB as bytes, not base64', () => {
    expectChecks(first, 'indexedDB: the binary body is stored as bytes');
  });

  it('answers from localStorage and IndexedDB after a page reload, without calling the origin again', () => {
    expectChecks(first, 'localStorage: first request is a miss');
    expectChecks(first, 'indexedDB: first request is a miss');
    expectChecks(reloaded, 'localStorage: after a reload');
    expectChecks(reloaded, 'indexedDB: after a reload', 2);
    expect(server?.hits('/api/persist?store=localStorage')).to.equal(1);
    expect(server?.hits('/api/persist?store=indexedDB')).to.equal(1);
    expect(server?.hits('/api/binary')).to.equal(1);
  });

  it('shares IndexedDB entries between two open tabs', () => {
    expectChecks(secondTab, 'indexedDB: in a second tab', 2);
    expect(tabWrite?.writer).to.deep.equal({ fromCache: false, status: 'miss' });
    expect(tabWrite?.reader).to.deep.equal({ fromCache: true, status: 'hit' });
    expect(server?.hits('/api/tab-write')).to.equal(1);
  });

  it('survives a full localStorage: evicts its own oldest entries, and never fails a request', () => {
    expectChecks(first, 'quota: ', 6);
  });

  it('survives an IndexedDB quota error: evicts entries closest to expiry, and never fails a request', () => {
    expect(idbQuota?.fatal).to.equal(undefined);
    expectChecks(idbQuota, 'indexedDB quota: ', 3);
  });
});
