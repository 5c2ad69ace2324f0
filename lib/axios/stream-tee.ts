/**
 * Caching `responseType: 'stream'`: the caller gets a stream of the same kind the adapter made, which passes every
 * chunk on as it arrives (with the adapter's backpressure: nothing is read ahead of the caller beyond the stream's
 * own buffer) and keeps a copy. The copy is stored only when the origin's body ended cleanly *and* the caller read
 * it to the end; a caller that stops reading, destroys or cancels the stream, a cancellation or timeout, a reset or a
 * cut-off body leave no entry, and a body larger than `maxStreamBytes` is passed on whole but not kept.
 */
import type { AxiosResponse } from 'axios';
import { storability } from '../semantics/index.js';
import type { CacheContext } from './context.js';
import { nodeStreams, isNodeReadable } from './node-stream.js';
import type { NodeReadable } from './node-stream.js';
import { plainResponseHeaders } from './records.js';
import type { Exchange } from './request-model.js';
import { StreamedBytes, isWebStream } from './stream-body.js';
import type { StreamKind } from './stream-body.js';

/** What becomes of a teed body: read whole (its bytes), or given up on (why). Called once. */
interface TeeOutcome {
  register?(collector: Collector): void;
  complete(bytes: StreamedBytes, collector: Collector): void;
  abandoned(reason: string, collector: Collector): void;
}

/**
 * The largest buffer a copy starts with. A `Content-Length` is only the origin's word: sizing the copy by it would let
 * every response that announces `maxStreamBytes` and sends nothing make the cache allocate that much. A smaller
 * announced length is a fair first size (a body that keeps its word is then copied once, into a buffer that fits).
 */
const INITIAL_BYTES = 64 * 1024;

/**
 * The body seen so far, copied as each chunk goes by (the caller may change the chunks it is handed) into one buffer
 * that starts at most {@link INITIAL_BYTES} and grows by doubling (each byte copied at most twice on average) up to
 * the limit, so the memory held follows the bytes that arrived, never the length announced; dropped once the limit is
 * passed.
 */
class Collector {
  private buffer: StreamedBytes;
  private length = 0;
  private over = false;
  private done = false;

  constructor(
    private readonly limit: number,
    private readonly kind: StreamKind,
    announcedLength: number | undefined,
    private readonly outcome: TeeOutcome,
  ) {
    this.buffer = new StreamedBytes(Math.min(announcedLength ?? INITIAL_BYTES, INITIAL_BYTES, limit));
    outcome.register?.(this);
  }

  add(chunk: unknown): void {
    if (this.over || this.done) return;
    if (!(chunk instanceof Uint8Array)) {
      this.finish('the stream gave something other than bytes');
      return;
    }
    const length = this.length + chunk.byteLength;
    if (length > this.limit) {
      this.over = true;
      this.buffer = new StreamedBytes(0);
      return;
    }
    if (length > this.buffer.length) {
      const grown = new StreamedBytes(Math.min(this.limit, Math.max(length, this.buffer.length * 2)));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length = length;
  }

  /** Ends the collection: stores the bytes when no reason is given and the body stayed within the limit. */
  finish(reason?: string): void {
    if (this.done) return;
    this.done = true;
    const { buffer, length } = this;
    this.buffer = new StreamedBytes(0);
    if (reason !== undefined) this.outcome.abandoned(reason, this);
    else if (this.over) this.outcome.abandoned(`the body is larger than maxStreamBytes (${this.limit} bytes); it was passed on whole`, this);
    else {
      // Exactly the body's bytes: a buffer larger than the body would stay held by the stored entry.
      const bytes = length === buffer.length ? buffer : new StreamedBytes(length);
      if (bytes !== buffer) bytes.set(buffer.subarray(0, length));
      bytes.kind = this.kind;
      this.outcome.complete(bytes, this);
    }
  }
}

const STOPPED = 'the caller stopped reading before the end';

/**
 * The bodies being read, per cache and URL. An unsafe request that invalidates a URL (RFC 9111 §4.4) while a body of
 * it is still being read makes that body unfit to store: it was sent before the change.
 */
const reading = new WeakMap<CacheContext, Map<string, Set<Collector>>>();

/** Called for each URL an unsafe request invalidates: the bodies of that URL being read are not stored. */
export function invalidateStreams(ctx: CacheContext, url: string): void {
  const collectors = reading.get(ctx)?.get(url);
  if (!collectors) return;
  for (const collector of [...collectors]) collector.finish('an unsafe request invalidated the URL while its body was read');
}

/**
 * Called when entries are deleted by query (`cache.delete()`, a request's `invalidate`) or all cleared: any body being
 * read may belong to one of them, and was sent before the deletion, so none of them is stored.
 */
export function abandonStreams(ctx: CacheContext, reason: string): void {
  const byUrl = reading.get(ctx);
  if (!byUrl) return;
  for (const collectors of [...byUrl.values()]) {
    for (const collector of [...collectors]) collector.finish(reason);
  }
}

function track(ctx: CacheContext, url: string, outcome: TeeOutcome): TeeOutcome {
  let byUrl = reading.get(ctx);
  if (!byUrl) reading.set(ctx, (byUrl = new Map<string, Set<Collector>>()));
  const map = byUrl;
  const forget = (collector: Collector): void => {
    const set = map.get(url);
    set?.delete(collector);
    if (set?.size === 0) map.delete(url);
  };
  return {
    register: (collector) => {
      let set = map.get(url);
      if (!set) map.set(url, (set = new Set<Collector>()));
      set.add(collector);
    },
    complete: (bytes, collector) => {
      forget(collector);
      outcome.complete(bytes, collector);
    },
    abandoned: (reason, collector) => {
      forget(collector);
      outcome.abandoned(reason, collector);
    },
  };
}

function incomplete(error: unknown): string {
  return `the body did not arrive whole (${error instanceof Error ? error.message : String(error)})`;
}

/** A Node Readable (the http adapter): piped through a Transform that copies each chunk on its way. */
function teeNode(source: NodeReadable, collect: () => Collector): NodeReadable | undefined {
  const streams = nodeStreams();
  if (!streams) return undefined;
  const collector = collect();
  const tap = new streams.Transform({
    transform(chunk, _encoding, callback) {
      collector.add(chunk);
      callback(null, chunk);
    },
  });
  let sourceEnded = false;
  let readToEnd = false;
  // A destroyed tap destroys the source (the request is aborted, as when the caller destroyed the adapter's stream);
  // a failed source fails the tap with the source's error.
  streams.pipeline(source, tap, (error) => {
    if (error) collector.finish(incomplete(error));
    else {
      sourceEnded = true;
      if (readToEnd) collector.finish();
    }
  });
  tap.once('end', () => {
    readToEnd = true;
    if (sourceEnded) collector.finish();
  });
  tap.once('close', () => {
    if (!readToEnd) collector.finish(STOPPED);
  });
  // As Node's IncomingMessage does, a failure reaches the caller's error listeners and crashes nobody who has none.
  tap.on('error', () => undefined);
  return tap;
}

/** A web ReadableStream (the fetch adapter): a stream that pulls from the source only when the caller reads. */
function teeWeb(source: ReadableStream<unknown>, collector: Collector): ReadableStream<unknown> {
  const reader = source.getReader();
  return new ReadableStream<unknown>(
    {
      async pull(controller) {
        let step: ReadableStreamReadResult<unknown>;
        try {
          step = await reader.read();
        } catch (error) {
          collector.finish(incomplete(error));
          controller.error(error);
          return;
        }
        if (step.done) {
          controller.close();
          // With no read-ahead (highWaterMark 0), the end is reached only when the caller asked past the last chunk.
          collector.finish();
          return;
        }
        collector.add(step.value);
        controller.enqueue(step.value);
      },
      cancel(reason) {
        collector.finish(STOPPED);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The caller's response, its stream body teed so that it is stored (by `store`, with the bytes as `data`) once read
 * whole; the response unchanged when it cannot be stored anyway (a refusal decided by its status and headers alone,
 * or a body that is no stream the cache knows).
 */
export function teeToStore(ctx: CacheContext, plan: Exchange, response: AxiosResponse, store: (whole: AxiosResponse) => Promise<unknown>): AxiosResponse {
  const { key, url } = plan;
  // Judged again with the whole response when stored; here only to avoid collecting a body that cannot be kept. A
  // `ttl` function may give freshness the headers lack: then the collection goes ahead.
  if (typeof plan.ttl !== 'function') {
    const verdict = storability(plan.facts, { status: response.status, headers: plainResponseHeaders(response.headers) }, plan.policy);
    if (!verdict.storable) {
      ctx.debug(`not stored: ${verdict.reason}`, { key, url, status: response.status });
      return response;
    }
  }
  const outcome = track(ctx, url, {
    complete: (bytes) => {
      store({ ...response, data: bytes }).catch((error: unknown) => ctx.debug('not stored: storing the streamed body failed', { key, url, error }));
    },
    abandoned: (reason) => ctx.debug(`not stored: ${reason}`, { key, url }),
  });
  const limit = ctx.options.maxStreamBytes;
  // The announced length may size a small copy (a decoded or lying body differs from it: the copy grows or is trimmed).
  const announced = Number(plainResponseHeaders(response.headers)['content-length'] ?? Number.NaN);
  const length = Number.isSafeInteger(announced) && announced >= 0 ? announced : undefined;
  const data: unknown = response.data;
  let teed: unknown;
  if (isNodeReadable(data)) teed = teeNode(data, () => new Collector(limit, 'stream', length, outcome));
  else if (isWebStream(data)) teed = teeWeb(data, new Collector(limit, 'webstream', length, outcome));
  if (teed === undefined) {
    ctx.debug('not stored: the stream is of no kind the cache can tee', { key, url });
    return response;
  }
  return { ...response, data: teed };
}
