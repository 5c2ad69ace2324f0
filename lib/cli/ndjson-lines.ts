/**
 * The lines of an NDJSON stream (a file or stdin), each at most a given number of bytes: a line is held whole before it
 * is parsed, so without a cap one endless line (a corrupt file, a wrong file, a hostile one) would hold the whole input
 * in memory. Lines end at `\n` (a `\r` before it is dropped); the last line needs no end.
 */

/** The longest NDJSON line `import` reads unless told otherwise (`--max-line`): far above any entry's portable form
 * the library writes by default (a body is capped by the store: 5 MiB for the default MemoryStore). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** A line longer than the cap: it names the line (from 1) and the cap, and how to raise it. */
export class LineTooLongError extends Error {
  readonly line: number;
  readonly maxBytes: number;
  constructor(line: number, maxBytes: number) {
    super(`line ${line} is longer than ${maxBytes} bytes (--max-line ${maxBytes}); nothing of it was read. Raise the limit with --max-line BYTES if the file is one you trust`);
    this.name = 'LineTooLongError';
    this.line = line;
    this.maxBytes = maxBytes;
  }
}

function text(parts: readonly Buffer[]): string {
  const line = parts.length === 1 ? (parts[0] as Buffer).toString('utf8') : Buffer.concat(parts).toString('utf8');
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Yields each line of `input` (chunks of bytes or text) as text; throws a {@link LineTooLongError} for a line over `maxBytes`. */
export async function* ndjsonLines(input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, maxBytes: number): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let pending = 0;
  let line = 1;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let end = bytes.indexOf(0x0a, start); end !== -1; end = bytes.indexOf(0x0a, start)) {
      if (pending + end - start > maxBytes) throw new LineTooLongError(line, maxBytes);
      parts.push(bytes.subarray(start, end));
      const complete = text(parts);
      parts = [];
      pending = 0;
      line += 1;
      start = end + 1;
      yield complete;
    }
    if (start < bytes.length) {
      pending += bytes.length - start;
      // Refused as soon as it passes the cap: the rest of the line is never held.
      if (pending > maxBytes) throw new LineTooLongError(line, maxBytes);
      parts.push(bytes.subarray(start));
    }
  }
  if (pending > 0) yield text(parts);
}
