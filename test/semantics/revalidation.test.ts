import { expect } from 'chai';
import { conditionalHeaders, mergeNotModified, notModifiedApplies } from '../../lib/semantics/index.js';
import { strongEtagMatch, weakEtagMatch } from '../../lib/semantics/revalidation.js';

const LM = 'Sun, 06 Nov 1994 08:49:37 GMT';
const LM_LATER = 'Mon, 07 Nov 1994 08:49:37 GMT';

describe('conditionalHeaders (RFC 9111 §4.3.1)', () => {
  const cases: readonly [string, Record<string, string>, Record<string, string>][] = [
    ['sends If-None-Match from the ETag', { etag: '"v1"' }, { 'if-none-match': '"v1"' }],
    ['sends a weak ETag as it is', { etag: 'W/"v1"' }, { 'if-none-match': 'W/"v1"' }],
    ['sends If-Modified-Since from Last-Modified', { 'last-modified': LM }, { 'if-modified-since': LM }],
    ['sends both when both validators exist', { etag: '"v1"', 'last-modified': LM }, { 'if-none-match': '"v1"', 'if-modified-since': LM }],
    ['sends nothing without validators', { 'content-type': 'text/plain' }, {}],
    ['skips a Last-Modified that is not an HTTP-date', { 'last-modified': 'yesterday' }, {}],
  ];
  for (const [name, headers, expected] of cases) {
    it(name, () => {
      expect(conditionalHeaders({ status: 200, headers })).to.deep.equal(expected);
    });
  }
});

describe('entity-tag comparison (RFC 9110 §8.8.3.2)', () => {
  const cases: readonly [string, string, boolean, boolean][] = [
    ['W/"1"', 'W/"1"', false, true],
    ['W/"1"', 'W/"2"', false, false],
    ['W/"1"', '"1"', false, true],
    ['"1"', '"1"', true, true],
  ];
  for (const [a, b, strong, weak] of cases) {
    it(`compares ${a} with ${b}: strong ${String(strong)}, weak ${String(weak)}`, () => {
      expect(strongEtagMatch(a, b)).to.equal(strong);
      expect(weakEtagMatch(a, b)).to.equal(weak);
    });
  }
});

describe('notModifiedApplies (RFC 9111 §4.3.4)', () => {
  const cases: readonly [string, Record<string, string>, Record<string, string>, boolean][] = [
    ['selects the stored response with the same strong ETag', { etag: '"v1"' }, { etag: '"v1"' }, true],
    ['refuses a strong ETag the stored response lacks (MUST NOT update)', { etag: '"v1"' }, { etag: '"v2"' }, false],
    ['selects a weak stored ETag by the strong 304 ETag with the same opaque tag (nginx gzip, RFC 9110 §8.8.3.2 weak comparison)', { etag: 'W/"6b0a85da-57"' }, { etag: '"6b0a85da-57"' }, true],
    ['selects a weak stored ETag by the same weak 304 ETag', { etag: 'W/"v1"' }, { etag: 'W/"v1"' }, true],
    ['refuses a strong 304 ETag whose opaque tag differs from the weak stored one', { etag: 'W/"v1"' }, { etag: '"v2"' }, false],
    ['refuses a weak 304 ETag whose opaque tag differs from the strong stored one', { etag: '"v1"' }, { etag: 'W/"v2"' }, false],
    ['refuses an ETag when the stored response has no ETag at all', {}, { etag: 'W/"v1"' }, false],
    ['refuses a strong ETag when the stored response has none', { 'last-modified': LM }, { etag: '"v1"' }, false],
    ['selects by a weak ETag that corresponds', { etag: '"v1"' }, { etag: 'W/"v1"' }, true],
    ['refuses a weak ETag that does not correspond', { etag: 'W/"v1"' }, { etag: 'W/"v2"' }, false],
    ['selects by an equal Last-Modified', { 'last-modified': LM }, { 'last-modified': LM }, true],
    ['refuses a different Last-Modified', { 'last-modified': LM }, { 'last-modified': LM_LATER }, false],
    ['selects a stored response without validators for a validator-less 304', {}, { date: LM }, true],
    ['selects for a validator-less 304 answering our own conditional request (documented choice)', { etag: '"v1"' }, { date: LM }, true],
  ];
  for (const [name, storedHeaders, notModifiedHeaders, expected] of cases) {
    it(name, () => {
      expect(notModifiedApplies({ status: 200, headers: storedHeaders }, { status: 304, headers: notModifiedHeaders })).to.equal(expected);
    });
  }
});

describe('mergeNotModified (RFC 9111 §3.2, §4.3.4)', () => {
  const storedHeaders = { 'content-type': 'text/plain', 'content-length': '5', 'cache-control': 'max-age=60', etag: '"v1"', date: LM };

  it('replaces stored fields with the 304 fields and adds new ones (§3.2 MUST)', () => {
    const merged = mergeNotModified(storedHeaders, { 'cache-control': 'max-age=600', date: LM_LATER, 'x-new': '1' });
    expect(merged).to.deep.equal({ 'content-type': 'text/plain', 'content-length': '5', 'cache-control': 'max-age=600', etag: '"v1"', date: LM_LATER, 'x-new': '1' });
  });

  it('never takes Content-Length from the 304 (§3.2)', () => {
    expect(mergeNotModified(storedHeaders, { 'content-length': '0' })['content-length']).to.equal('5');
  });

  it('keeps the stored Content-MD5 when a 304 brings another, since the digest belongs to the stored body (§3.2)', () => {
    const merged = mergeNotModified({ ...storedHeaders, 'content-md5': 'rL0Y20zC+Fzt72VPzMSk2A==' }, { 'content-md5': 'N7UdGUp1E+RbVvZSTy1R8g==' });
    expect(merged['content-md5']).to.equal('rL0Y20zC+Fzt72VPzMSk2A==');
  });

  it('never takes Content-Encoding from the 304, since the stored body is already decoded', () => {
    expect(mergeNotModified(storedHeaders, { 'content-encoding': 'gzip' })).to.not.have.property('content-encoding');
  });

  it('never takes hop-by-hop fields, nor fields the 304 Connection lists (§3.1)', () => {
    const merged = mergeNotModified(storedHeaders, { connection: 'x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked' });
    expect(merged).to.deep.equal(storedHeaders);
  });

  it('does not change the stored object', () => {
    const before = { ...storedHeaders };
    mergeNotModified(storedHeaders, { 'cache-control': 'no-cache' });
    expect(storedHeaders).to.deep.equal(before);
  });
});
