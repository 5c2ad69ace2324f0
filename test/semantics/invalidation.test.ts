import { expect } from 'chai';
import { invalidationTargets } from '../../lib/semantics/index.js';

const URL_A = 'https://api.example.com/users/1?x=1';

describe('invalidationTargets (RFC 9111 §4.4)', () => {
  const cases: readonly [string, string, number, string, Record<string, string>, string[]][] = [
    ['invalidates the target URI after a successful POST (MUST)', 'POST', 201, URL_A, {}, [URL_A]],
    ['invalidates after a successful DELETE', 'DELETE', 204, URL_A, {}, [URL_A]],
    ['invalidates after a method of unknown safety', 'PURGE', 200, URL_A, {}, [URL_A]],
    ['invalidates after a 3xx, a non-error status', 'PUT', 303, URL_A, {}, [URL_A]],
    ['does nothing after an error status', 'POST', 500, URL_A, {}, []],
    ['does nothing after a 4xx', 'POST', 409, URL_A, {}, []],
    ['does nothing for GET, a safe method', 'GET', 200, URL_A, {}, []],
    ['does nothing for OPTIONS, a safe method', 'OPTIONS', 200, URL_A, {}, []],
    ['adds a same-origin Location resolved against the request URL', 'POST', 201, 'https://api.example.com/users', { location: '/users/2' }, ['https://api.example.com/users', 'https://api.example.com/users/2']],
    ['adds a relative Content-Location', 'PUT', 200, 'https://api.example.com/users/1', { 'content-location': '1/profile' }, ['https://api.example.com/users/1', 'https://api.example.com/users/1/profile']],
    ['never adds a URI of another origin (MUST NOT)', 'POST', 201, URL_A, { location: 'https://evil.example.net/users/1' }, [URL_A]],
    ['treats another port as another origin', 'POST', 201, URL_A, { location: 'https://api.example.com:8443/x' }, [URL_A]],
    ['treats another scheme as another origin', 'POST', 201, URL_A, { location: 'http://api.example.com/x' }, [URL_A]],
    ['de-duplicates Location and Content-Location', 'POST', 201, URL_A, { location: '/users/1?x=1', 'content-location': '/users/1?x=1' }, [URL_A]],
    ['drops fragments', 'PATCH', 200, 'https://api.example.com/a#top', { location: '/b#frag' }, ['https://api.example.com/a', 'https://api.example.com/b']],
    ['returns a request URL that does not parse as it was given', 'POST', 200, '/relative/path', { location: '/x' }, ['/relative/path']],
  ];
  for (const [name, method, status, url, headers, expected] of cases) {
    it(name, () => {
      expect(invalidationTargets(method, status, url, headers)).to.deep.equal(expected);
    });
  }
});
