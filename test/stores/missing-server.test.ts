import { expect } from 'chai';
import { missingServer, missingServerMessage } from '../support/servers.js';

describe('The message of a store test whose server is missing', function () {
  it('tells how to get Redis: set REDIS_URL or start redis-server', function () {
    const message = missingServerMessage('Redis (REDIS_URL or 127.0.0.1:6379)');
    expect(message).to.match(/^Redis \(REDIS_URL or 127\.0\.0\.1:6379\) is not available\. To run these tests, set REDIS_URL to a running Redis/);
    expect(message).to.include('redis-server --port 6379');
  });

  it('tells how to get redis-server itself when a test starts its own instance', function () {
    expect(missingServerMessage('redis-server (for a private outage-test instance)')).to.match(/install redis-server so that it is on PATH/);
  });

  it('tells how to get MongoDB: set MONGODB_URL, or build FerretDB with .ci/ferretdb/ensure.sh (needs Go) and start it', function () {
    const message = missingServerMessage('MongoDB (MONGODB_URL), FerretDB on 127.0.0.1:27018, or a FerretDB binary (.ci/ferretdb/ensure.sh)');
    expect(message).to.include('set MONGODB_URL to a running MongoDB or FerretDB');
    expect(message).to.include('.ci/ferretdb/ensure.sh (needs Go)');
    expect(message).to.include('-listen 127.0.0.1:27018');
  });

  it('tells how to build the FerretDB binary when a test starts its own instance', function () {
    expect(missingServerMessage('FerretDB binary (run .ci/ferretdb/ensure.sh)')).to.match(/build the FerretDB test server with \.ci\/ferretdb\/ensure\.sh \(needs Go/);
  });

  it('names no source file as the thing to read', function () {
    for (const what of ['Redis', 'MongoDB', 'redis-server', 'FerretDB binary']) {
      expect(missingServerMessage(what)).not.to.include('servers.ts');
    }
  });

  describe('missingServer', function () {
    let savedCi: string | undefined;

    beforeEach(function () {
      savedCi = process.env['CI'];
    });

    afterEach(function () {
      if (savedCi === undefined) delete process.env['CI'];
      else process.env['CI'] = savedCi;
    });

    it('fails instead of skipping under CI=true, with the advice in the error', function () {
      process.env['CI'] = 'true';
      let skipped = false;
      const context = { skip: (): never => { skipped = true; throw new Error('skipped'); } };
      expect(() => missingServer(context, 'Redis')).to.throw(Error, /^CI=true but Redis is not available\. To run these tests, set REDIS_URL/);
      expect(skipped).to.equal(false);
    });

    it('skips outside CI', function () {
      delete process.env['CI'];
      let skipped = false;
      const context = { skip: (): never => { skipped = true; throw new Error('skipped'); } };
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = () => true; // keep the run's output free of a skip notice that is no real skip
      try {
        expect(() => missingServer(context, 'Redis')).to.throw(Error, 'skipped');
      } finally {
        process.stderr.write = write;
      }
      expect(skipped).to.equal(true);
    });
  });
});
