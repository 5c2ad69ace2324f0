import { Readable } from 'node:stream';
import { expect } from 'chai';
import { nodeBuiltin } from '../../lib/axios/node-builtin.js';

interface Host {
  getBuiltinModule?: ((id: string) => unknown) | undefined;
}

/** Runs `body` with `process.getBuiltinModule` replaced by `loader` (or removed), and puts it back. */
function withLoader<T>(loader: Host['getBuiltinModule'], body: () => T): T {
  const host = process as Host;
  const original = host.getBuiltinModule;
  host.getBuiltinModule = loader;
  try {
    return body();
  } finally {
    host.getBuiltinModule = original;
  }
}

// Each test asks for a module no other code looks up through nodeBuiltin: a lookup is remembered per id.
describe('nodeBuiltin: Node built-in modules reached without an import', () => {
  it("answers the module when this Node has it and it has what the caller uses", () => {
    const streams = nodeBuiltin<{ Readable: unknown }>('node:stream', (found) => typeof found.Readable === 'function');
    expect(streams?.Readable).to.equal(Readable);
  });

  it('answers null for a module this runtime does not have', () => {
    expect(nodeBuiltin<object>('node:no-such-module', () => true)).to.equal(null);
  });

  it('answers null for a module that lacks what the caller uses', () => {
    expect(nodeBuiltin<{ notThere: unknown }>('node:path', (found) => typeof found.notThere === 'function')).to.equal(null);
  });

  it('answers null where process.getBuiltinModule is missing (a browser, a Node before 20.16), and when it throws', () => {
    expect(withLoader(undefined, () => nodeBuiltin<object>('node:os', () => true))).to.equal(null);
    expect(withLoader(() => { throw new Error('behind a flag'); }, () => nodeBuiltin<object>('node:url', () => true))).to.equal(null);
  });

  it('looks each module up once and remembers the answer', () => {
    const asked: string[] = [];
    const first = withLoader((id) => { asked.push(id); return { value: 1 }; }, () => nodeBuiltin<{ value: number }>('node:querystring', () => true));
    const again = withLoader(() => { throw new Error('asked twice'); }, () => nodeBuiltin<{ value: number }>('node:querystring', () => true));
    expect(asked).to.deep.equal(['node:querystring']);
    expect(again).to.equal(first);
  });
});
