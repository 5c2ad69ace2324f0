import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const root = resolve(import.meta.dirname, '..');

describe('npm run demo (the README\'s first command)', function () {
  this.timeout(60_000);

  it('answers every repeat of the slow request from the cache, reaching the API once', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'demo/demo.ts'], {
      cwd: root,
      env: { ...process.env, DEMO_REQUESTS: '6', DEMO_DELAY_MS: '200' },
    });
    const lines = stdout.split('\n').filter((line) => line.startsWith('request'));
    expect(lines).to.have.length(6);
    expect(lines[0]).to.match(/network .* \(miss\)/);
    expect(lines.slice(1).every((line) => /cache .* \(hit\)/.test(line))).to.equal(true);
    expect(stdout).to.match(/for 6 requests \(1 reached the API\)/);
    expect(stdout).to.match(/Hits: 5, misses: 1/);
  });
});
