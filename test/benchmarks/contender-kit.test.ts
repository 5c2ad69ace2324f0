import { expect } from 'chai';
import { AxiosHeaders } from 'axios';
import type { AxiosResponse } from 'axios';
import { bodyCases, jsonOfSize } from '../../benchmarks/bodies.js';
import { probe, requestContender, sameBody } from '../../benchmarks/contender-kit.js';

const [json1k, , binary] = bodyCases();

function answering(data: () => unknown): () => Promise<AxiosResponse> {
  return () => Promise.resolve({ data: data(), status: 200, statusText: 'OK', headers: new AxiosHeaders(), config: { headers: new AxiosHeaders() } });
}

describe('benchmark contender checks', () => {
  it('builds JSON bodies of at least the size asked for, deterministically', () => {
    const body = jsonOfSize(1024, 7);
    expect(body.length).to.be.at.least(1024).and.below(1200);
    expect(jsonOfSize(1024, 7)).to.equal(body);
    expect(jsonOfSize(1024, 8)).to.not.equal(body);
  });

  it('accepts a parsed JSON answer equal to the prepared body and refuses a different one', () => {
    expect(sameBody(JSON.parse(json1k!.body as string), json1k!)).to.equal(true);
    expect(sameBody([{ other: 1 }], json1k!)).to.equal(false);
  });

  it('accepts bytes as a Buffer or an ArrayBuffer', () => {
    const bytes = Buffer.from(binary!.body as Buffer);
    expect(sameBody(bytes, binary!)).to.equal(true);
    expect(sameBody(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), binary!)).to.equal(true);
  });

  it('finds a cache that hands every caller the same object not isolated from mutation', async () => {
    const shared = JSON.parse(json1k!.body as string) as unknown;
    const result = await probe(requestContender('shared', 'shared', answering(() => shared), () => true), json1k!);
    expect(result).to.deep.equal({ intact: true, isolated: false });
  });

  it('finds a cache that hands every caller a fresh object isolated from mutation', async () => {
    const result = await probe(requestContender('fresh', 'fresh', answering(() => JSON.parse(json1k!.body as string)), () => true), json1k!);
    expect(result).to.deep.equal({ intact: true, isolated: true });
  });

  it('fails an operation whose answer is not what the row measures', async () => {
    const contender = requestContender('miss', 'claims hits', answering(() => ''), () => false);
    let failure: unknown;
    await contender.run().catch((error: unknown) => { failure = error; });
    expect(failure).to.be.instanceOf(Error);
  });
});
