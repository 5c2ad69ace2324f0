import { expect } from 'chai';
import fc from 'fast-check';
import { LineTooLongError, ndjsonLines } from '../../lib/cli/ndjson-lines.js';

/** `text` as chunks of bytes cut at `cuts` (byte offsets, any order, repeats allowed). */
function* chunked(text: string, cuts: readonly number[]): Generator<Uint8Array> {
  const bytes = Buffer.from(text);
  const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  let start = 0;
  for (const end of [...at, bytes.length]) {
    yield bytes.subarray(start, end);
    start = end;
  }
}

async function read(lines: AsyncIterable<string>): Promise<{ lines: string[]; error?: unknown }> {
  const seen: string[] = [];
  try {
    for await (const line of lines) seen.push(line);
    return { lines: seen };
  } catch (error) {
    return { lines: seen, error };
  }
}

const lineText = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '{', '"', ' ', '\r'), maxLength: 30 }).filter((line) => !line.endsWith('\r'));

describe('the CLI reads NDJSON lines with a cap on their length', () => {
  it('for all texts and all ways of cutting them into chunks, yields the lines of the text (a \\r before each \\n dropped, no empty line after the last \\n)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineText, { maxLength: 8 }), fc.boolean(), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), async (lines, crlf, endsWithNewline, cuts) => {
        const text = lines.join(crlf ? '\r\n' : '\n') + (endsWithNewline && lines.length > 0 ? '\n' : '');
        // Every piece between line ends is a line, except an empty one after the last line end.
        const expected = text.split('\n').map((line) => line.replace(/\r$/, ''));
        if (expected.at(-1) === '') expected.pop();
        expect((await read(ndjsonLines(chunked(text, cuts), 1000))).lines).to.deep.equal(expected);
      }),
    );
  });

  it('for all positions of a line over the cap, stops there with a LineTooLongError naming its number, after yielding the lines before it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 16 }).filter((line) => !line.includes('\n')), { maxLength: 6 }), fc.nat({ max: 6 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), async (lines, at, last, cuts) => {
        const position = Math.min(at, lines.length);
        const long = 'x'.repeat(17);
        const all = [...lines.slice(0, position), long, ...lines.slice(position)];
        const text = all.join('\n') + (last ? '' : '\n');
        const { lines: seen, error } = await read(ndjsonLines(chunked(text, cuts), 16));
        expect(error).to.be.instanceOf(LineTooLongError);
        expect(error).to.include({ line: position + 1, maxBytes: 16 });
        expect(seen).to.deep.equal(lines.slice(0, position));
      }),
    );
  });

  it('counts a line by its bytes, not its characters, and accepts one of exactly the cap', async () => {
    expect((await read(ndjsonLines(chunked('€€\n', []), 6))).lines).to.deep.equal(['€€']);
    const { error } = await read(ndjsonLines(chunked('€€€\n', []), 6));
    expect((error as Error).message).to.match(/^line 1 is longer than 6 bytes \(--max-line 6\); .*--max-line BYTES/);
  });

  it('holds no more than the cap of a line that never ends', async () => {
    let given = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        given += 1;
        yield await Promise.resolve(new Uint8Array(1024).fill(0x61));
      }
    }
    const { error } = await read(ndjsonLines(endless(), 10 * 1024));
    expect(error).to.be.instanceOf(LineTooLongError);
    expect(given).to.equal(11);
  });
});
