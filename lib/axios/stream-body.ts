/**
 * Stream bodies (`responseType: 'stream'`) as stored and served: which stored bodies may answer which caller, the
 * bytes a tee collected on their way into a record, and a stored body served again as the kind of stream the adapter
 * had given (a Node Readable from the http adapter, a web ReadableStream from the fetch adapter). The tee itself is
 * `stream-tee.ts`.
 */
import type { InternalAxiosRequestConfig } from 'axios';
import type { CachedBody } from '../record.js';
import { wantsBytes } from './key.js';
import { isNodeReadable, nodeStreams } from './node-stream.js';

/** The kinds of stream a stored body is served as: a Node Readable, or a web ReadableStream. */
export type StreamKind = 'stream' | 'webstream';

export function isStreamRequest(config: InternalAxiosRequestConfig): boolean {
  return config.responseType === 'stream';
}

function isStreamBody(body: CachedBody): boolean {
  return body.type === 'binary' && (body.as === 'stream' || body.as === 'webstream');
}

/**
 * Whether a stored body may answer this caller: a stream body only a stream request and a stream request only a
 * stream body; otherwise text answers callers that want text and bytes callers that want bytes. Not a key part, so
 * that invalidation still finds one key per URL: a body of another kind is a miss, and the answer replaces it.
 */
export function bodyFits(body: CachedBody, config: InternalAxiosRequestConfig): boolean {
  if (isStreamRequest(config)) return isStreamBody(body);
  return !isStreamBody(body) && (body.type === 'binary') === wantsBytes(config);
}

/** The bytes of a stream body, read whole by its caller, with the kind of stream they came in (see `toCachedBody`). */
export class StreamedBytes extends Uint8Array {
  kind: StreamKind = 'stream';

  /** The stored body: a plain view of these bytes (they were copied as they were collected, and belong to nobody else). */
  toCachedBody(): CachedBody {
    return { type: 'binary', bytes: new Uint8Array(this.buffer, this.byteOffset, this.byteLength), as: this.kind };
  }
}

/** Chunks of a stored body served as a stream: as large as a socket read, so that a large body is not one chunk. */
const CHUNK_BYTES = 64 * 1024;

/**
 * A stored stream body as a new stream of the kind stored, over a private copy of the bytes. A Node Readable falls
 * back to a web ReadableStream where Node's `stream` module is not available.
 */
export function streamOf(bytes: Uint8Array, kind: StreamKind): unknown {
  const copy = bytes.slice();
  let offset = 0;
  const next = (): Uint8Array | null => {
    if (offset >= copy.length) return null;
    const end = Math.min(offset + CHUNK_BYTES, copy.length);
    const chunk = copy.subarray(offset, end);
    offset = end;
    return chunk;
  };
  const streams = kind === 'stream' ? nodeStreams() : null;
  if (streams) {
    return new streams.Readable({
      read() {
        this.push(next());
      },
    });
  }
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = next();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** True for a web ReadableStream (the fetch adapter's stream), from any realm. */
export function isWebStream(value: unknown): value is ReadableStream<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { getReader?: unknown }).getReader === 'function' && typeof (value as { cancel?: unknown }).cancel === 'function';
}

/** Ends a stream body nobody will read (a 304, a 5xx answered from a stale entry), so its connection is released. */
export function discardBody(data: unknown): void {
  if (isNodeReadable(data)) data.destroy();
  else if (isWebStream(data)) data.cancel().catch(() => undefined);
}

/** Reads a stream body to its end for nobody (a background refresh), so that its tee stores it. */
export function drainBody(data: unknown): void {
  if (isNodeReadable(data)) data.resume();
  else if (isWebStream(data)) data.pipeTo(new WritableStream()).catch(() => undefined);
}
