import { expect } from 'chai';
import { varyNames, varyValues } from '../../lib/semantics/index.js';
import { varyMatches } from '../../lib/semantics/vary.js';

describe('varyNames (RFC 9111 §4.1)', () => {
  const cases: readonly [string, Record<string, string>, readonly string[] | '*'][] = [
    ['is empty without Vary', {}, []],
    ['lower-cases, de-duplicates and sorts the names', { vary: 'Accept-Language, accept, ACCEPT' }, ['accept', 'accept-language']],
    ['ignores empty list members', { vary: ' , Accept ,, ' }, ['accept']],
    ['reports "*" when any member is "*"', { vary: 'Accept, *' }, '*'],
  ];
  for (const [name, headers, expected] of cases) {
    it(name, () => {
      expect(varyNames(headers)).to.deep.equal(expected);
    });
  }
});

describe('varyValues and varyMatches (RFC 9111 §4.1)', () => {
  it('records null for a selecting field the request lacks', () => {
    expect(varyValues(['accept', 'accept-language'], { accept: 'text/html' })).to.deep.equal(['text/html', null]);
  });

  it('normalises optional whitespace around commas and semicolons', () => {
    expect(varyValues(['accept'], { accept: '  text/html ;q=0.9 ,  application/json ' })).to.deep.equal(['text/html;q=0.9,application/json']);
  });

  const stored = varyValues(['accept', 'accept-encoding'], { accept: 'text/html, application/json', 'accept-encoding': 'gzip' });
  const cases: readonly [string, Record<string, string>, boolean][] = [
    ['matches identical selecting fields', { accept: 'text/html, application/json', 'accept-encoding': 'gzip' }, true],
    ['matches when only whitespace differs', { accept: 'text/html,application/json', 'accept-encoding': ' gzip ' }, true],
    ['does not match a different value', { accept: 'text/html', 'accept-encoding': 'gzip' }, false],
    ['does not match when a field present in the stored request is absent', { accept: 'text/html, application/json' }, false],
    ['ignores fields the response does not vary on', { accept: 'text/html, application/json', 'accept-encoding': 'gzip', cookie: 'a=1' }, true],
    ['keeps list order significant (meaning is field-specific)', { accept: 'application/json, text/html', 'accept-encoding': 'gzip' }, false],
  ];
  for (const [name, headers, expected] of cases) {
    it(name, () => {
      expect(varyMatches(['accept', 'accept-encoding'], stored, headers)).to.equal(expected);
    });
  }

  it('matches an absent field only with an absent field ("can only match ... if it is also absent")', () => {
    const withoutLanguage = varyValues(['accept-language'], {});
    expect(varyMatches(['accept-language'], withoutLanguage, {})).to.equal(true);
    expect(varyMatches(['accept-language'], withoutLanguage, { 'accept-language': 'fr' })).to.equal(false);
  });

  it('finds request fields whatever the case of their names', () => {
    expect(varyMatches(['accept'], ['text/html'], { Accept: 'text/html' })).to.equal(true);
  });

  it('never matches when the stored values do not line up with the names', () => {
    expect(varyMatches(['accept', 'accept-language'], ['text/html'], { accept: 'text/html' })).to.equal(false);
  });
});
