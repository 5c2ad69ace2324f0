import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { sha256Hex } from '../../lib/axios/hash.js';

describe('sha256Hex (FIPS 180-4)', () => {
  it('matches the published digest of the empty string and of "abc"', () => {
    expect(sha256Hex('')).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('agrees with node:crypto on every length around the 64-byte block and padding boundaries', () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff);
      expect(sha256Hex(bytes), `length ${length}`).to.equal(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('encodes strings as UTF-8 before hashing', () => {
    const text = 'Grüße, 世界 🌍';
    expect(sha256Hex(text)).to.equal(createHash('sha256').update(text, 'utf8').digest('hex'));
  });
});
