import { expect } from 'chai';
import fc from 'fast-check';
import { headersToStore } from '../../lib/semantics/index.js';
import { HOP_BY_HOP_FIELDS, stripHopByHop } from '../../lib/semantics/headers.js';
import { parseFieldNames } from '../../lib/semantics/field-names.js';
import { parseHttpDate } from '../../lib/semantics/http-date.js';
import type { PolicyOptions } from '../../lib/semantics/index.js';

const PRIVATE_CACHE: PolicyOptions = { shared: false, cacheControl: true };
const SHARED_CACHE: PolicyOptions = { shared: true, cacheControl: true };
const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('parseHttpDate (RFC 9110 §5.6.7, RFC 9111 §4.2)', () => {
  const valid: readonly [string, string, number][] = [
    ['reads the preferred IMF-fixdate format', 'Sun, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
    ['reads the obsolete RFC 850 format', 'Sunday, 06-Nov-94 08:49:37 GMT', NOV_6_1994],
    ['reads the obsolete asctime format with a space-padded day', 'Sun Nov  6 08:49:37 1994', NOV_6_1994],
    ['matches case-insensitively (§4.2 SHOULD)', 'sun, 06 nov 1994 08:49:37 gmt', NOV_6_1994],
    ['tolerates surrounding whitespace', '  Sun, 06 Nov 1994 08:49:37 GMT ', NOV_6_1994],
    ['maps an RFC 850 two-digit year below 70 to 20xx', 'Friday, 01-Jan-38 00:00:00 GMT', Date.UTC(2038, 0, 1)],
    ['reads a leap day', 'Thu, 29 Feb 2024 12:00:00 GMT', Date.UTC(2024, 1, 29, 12)],
    ['never lets the local zone in (§4.2 MUST NOT)', 'Thu, 01 Jan 1970 00:00:00 GMT', 0],
  ];
  for (const [name, text, at] of valid) {
    it(name, () => {
      expect(parseHttpDate(text)).to.equal(at);
    });
  }

  const invalid: readonly [string, string | undefined][] = [
    ['returns undefined for an absent value', undefined],
    ['rejects "0", which Expires readers treat as already expired (§5.3)', '0'],
    ['rejects a zone other than GMT (§4.2 SHOULD)', 'Sun, 06 Nov 1994 08:49:37 PST'],
    ['rejects a numeric offset', 'Sun, 06 Nov 1994 08:49:37 +0000'],
    ['rejects a calendar date that does not exist', 'Mon, 31 Feb 2025 10:00:00 GMT'],
    ['rejects an hour out of range', 'Sun, 06 Nov 1994 25:49:37 GMT'],
    ['rejects an unknown month', 'Sun, 06 Foo 1994 08:49:37 GMT'],
    ['rejects an unknown day name', 'Xyz, 06 Nov 1994 08:49:37 GMT'],
    ['rejects ISO 8601', '1994-11-06T08:49:37Z'],
    ['rejects two dates joined by a comma (duplicate field lines)', 'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT'],
    ['rejects garbage', 'tomorrow'],
  ];
  for (const [name, text] of invalid) {
    it(name, () => {
      expect(parseHttpDate(text)).to.equal(undefined);
    });
  }
});

describe('stripHopByHop (RFC 9111 §3.1)', () => {
  it('removes the connection-specific and proxy authentication fields', () => {
    const out = stripHopByHop({
      'content-type': 'text/plain',
      connection: 'close',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      'transfer-encoding': 'chunked',
      upgrade: 'h2c',
      'proxy-authenticate': 'Basic',
      'proxy-authorization': 'Basic abc',
      'proxy-authentication-info': 'x',
      etag: '"1"',
    });
    expect(out).to.deep.equal({ 'content-type': 'text/plain', etag: '"1"' });
  });

  it('removes the fields that Connection lists, whatever their case', () => {
    const out = stripHopByHop({ connection: 'X-Trace , X-Hop', 'x-trace': '1', 'x-hop': '2', 'x-end': '3' });
    expect(out).to.deep.equal({ 'x-end': '3' });
  });

  it('lower-cases the names it keeps', () => {
    expect(stripHopByHop({ 'Content-Type': 'a/b' })).to.deep.equal({ 'content-type': 'a/b' });
  });

  it('keeps exactly the fields that are neither hop-by-hop nor listed in the first Connection field, for any names in any case', () => {
    // The rule spelled out plainly: the first field named Connection (any case) lists names; a kept field is neither
    // one of the standard hop-by-hop fields nor listed; a later field of the same lower-case name replaces an earlier.
    const expected = (headers: Record<string, string>): Record<string, string> => {
      const connectionName = Object.keys(headers).find((name) => name.toLowerCase() === 'connection');
      const listed = (connectionName === undefined ? '' : (headers[connectionName] ?? '')).split(',').map((name) => name.trim().toLowerCase());
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        const lower = name.toLowerCase();
        if (!HOP_BY_HOP_FIELDS.has(lower) && !listed.includes(lower)) out[lower] = value;
      }
      return out;
    };
    const name = fc.constantFrom('Connection', 'connection', 'CONNECTION', 'Keep-Alive', 'te', 'x-a', 'X-A', 'x-b', 'etag', 'Content-Type', 'upgrade');
    const connectionValue = fc.array(fc.constantFrom('x-a', ' X-A ', 'x-b', 'keep-alive', 'close', 'etag', '', 'content-type'), { maxLength: 4 }).map((names) => names.join(','));
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.oneof(connectionValue, fc.string({ maxLength: 8 }))), { maxLength: 8 }), (fields) => {
        const headers = Object.fromEntries(fields);
        expect({ ...stripHopByHop(headers) }).to.deep.equal(expected(headers));
      }),
    );
  });
});

describe('parseFieldNames', () => {
  it('lists the trimmed, lower-case, non-empty members of any comma-separated value', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('Accept-Encoding', ' origin ', '', 'X-A', '\t', 'keep-alive'), { maxLength: 5 }).map((names) => names.join(',')), (value) => {
        const members = value.split(',').map((member) => member.trim().toLowerCase()).filter((member) => member !== '');
        expect(parseFieldNames(value)).to.deep.equal(members);
      }),
    );
    expect(parseFieldNames(undefined)).to.deep.equal([]);
  });
});

describe('headersToStore (RFC 9111 §3.1, §5.2.2.4, §5.2.2.7)', () => {
  const headers = {
    'cache-control': 'max-age=60, private="set-cookie", no-cache="x-nonce"',
    'set-cookie': 'id=1',
    'x-nonce': 'abc',
    'content-type': 'text/plain',
    connection: 'close',
  };

  it('drops fields named by a qualified private in a shared cache (§5.2.2.7 MUST NOT store)', () => {
    const out = headersToStore({ status: 200, headers }, SHARED_CACHE);
    expect(out).to.not.have.property('set-cookie');
    expect(out).to.have.property('content-type', 'text/plain');
  });

  it('keeps fields named by a qualified private in a private cache', () => {
    expect(headersToStore({ status: 200, headers }, PRIVATE_CACHE)).to.have.property('set-cookie', 'id=1');
  });

  it('drops fields named by a qualified no-cache in every cache (§5.2.2.4)', () => {
    expect(headersToStore({ status: 200, headers }, PRIVATE_CACHE)).to.not.have.property('x-nonce');
    expect(headersToStore({ status: 200, headers }, SHARED_CACHE)).to.not.have.property('x-nonce');
  });

  it('drops hop-by-hop fields before storage', () => {
    expect(headersToStore({ status: 200, headers }, PRIVATE_CACHE)).to.not.have.property('connection');
  });

  it('honours the qualified lists even when Cache-Control freshness is ignored', () => {
    expect(headersToStore({ status: 200, headers }, { shared: true, cacheControl: false })).to.not.have.property('set-cookie');
  });

  it('keeps every other field, including unrecognised ones (§3.1 MUST include)', () => {
    const out = headersToStore({ status: 200, headers: { 'x-custom': '1', 'cache-control': 'max-age=1' } }, SHARED_CACHE);
    expect(out).to.deep.equal({ 'x-custom': '1', 'cache-control': 'max-age=1' });
  });
});
