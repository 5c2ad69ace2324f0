import { expect } from 'chai';
import fc from 'fast-check';
import { plainQueryStart, UrlParser } from '../../lib/axios/wire-request.js';

/** The key URL as WHATWG URL parsing gives it (no credential parameters to remove). */
function reference(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search}`;
}

const piece = (chars: string[], max: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...chars), { maxLength: max }).map((parts) => parts.join(''));
const label = fc.oneof(
  piece(['a', 'b', 'z', '0', '1', '9', '-', 'A'], 6).filter((text) => text !== ''),
  fc.constantFrom('xn--', 'xn--abc', '0x', '0x1f', '255', '256', '010', '0', 'localhost', 'example'),
);
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')),
  fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((parts) => parts.join('.')),
  fc.constantFrom('127.0.0.1', '127.1', '1.2.3.04', 'a..b', 'a.', '[::1]'),
);
const pathChars = ['a', 'Z', '0', '.', '%', '%2e', '%2E', '%41', "'", '^', '|', '{', ' ', ':', '@', '!', '~', '(', '=', '&', '/', '\\', '`'];
const url = fc
  .tuple(
    fc.constantFrom('http', 'https', 'HTTP', 'ftp'),
    fc.constantFrom('', 'user@', 'u:p@'),
    host,
    fc.constantFrom('', ':80', ':443', ':0', ':08', ':8080', ':65535', ':65536', ':'),
    fc.array(fc.oneof(piece(pathChars, 5), fc.constantFrom('.', '..', '%2e', '.%2E', 'a.', '...')), { maxLength: 4 }).map((segments) => segments.map((segment) => `/${segment}`).join('')),
    fc.oneof(fc.constant(''), piece(['?', 'a', '=', '&', "'", '%', '+', '"', '#', '/', '.'], 8).map((query) => `?${query}`)),
  )
  .map(([scheme, ...rest]) => `${scheme}://${rest.join('')}`);

describe('UrlParser (the key URL of a request, with or without a full URL parse)', () => {
  it('gives every absolute URL the key URL WHATWG URL parsing gives it', () => {
    fc.assert(
      fc.property(url, (candidate) => {
        let expected: string | Error;
        try {
          expected = reference(candidate);
        } catch (error) {
          expected = error as Error;
        }
        const parser = new UrlParser(new Set());
        if (expected instanceof Error) expect(() => parser.parse({ url: candidate })).to.throw();
        else expect(parser.parse({ url: candidate }).url).to.equal(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('calls a string plain only when WHATWG URL parsing gives it back as it is (up to an empty query), and splits it at its query', () => {
    const plain = (candidate: string): void => {
      const queryStart = plainQueryStart(candidate);
      if (queryStart === -1) return;
      const href = new URL(candidate).href;
      expect(href === candidate || `${href}?` === candidate, candidate).to.equal(true);
      expect(candidate.indexOf('?') === -1 ? candidate.length : candidate.indexOf('?'), candidate).to.equal(queryStart);
    };
    fc.assert(fc.property(url, plain), { numRuns: 5000 });
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii' }).map((rest) => `http://${rest}`), plain), { numRuns: 2000 });
    fc.assert(fc.property(fc.string(), plain), { numRuns: 2000 });
    for (const candidate of ['http://127.0.0.1:8080/data?n=1', 'https://api.test/a/b?', 'http://a-b.c9/x/.../%2e%2ex?y=%2e%2e&z']) expect(plainQueryStart(candidate), candidate).to.not.equal(-1);
  });

  it('keeps an empty query out of the key URL, as URL parsing does', () => {
    expect(new UrlParser(new Set()).parse({ url: 'http://127.0.0.1:8080/data?' }).url).to.equal('http://127.0.0.1:8080/data');
  });
});
