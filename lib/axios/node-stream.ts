/**
 * Node's `stream` module, for the Node Readables of `responseType: 'stream'` (the http adapter's kind). Looked up at
 * run time by `node-builtin.ts`, never imported, so the core still bundles for browsers; where it is missing, Node
 * streams are passed through uncached and stored stream bodies are served as web ReadableStreams.
 */
import { nodeBuiltin } from './node-builtin.js';

/** The part of a Node Readable the cache uses. */
export interface NodeReadable {
  push(chunk: Uint8Array | null): boolean;
  destroy(error?: Error): unknown;
  resume(): unknown;
  once(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly readableEnded: boolean;
}

/** The part of Node's `stream` module the cache uses. */
export interface NodeStreamModule {
  readonly Readable: new (options: { read(this: NodeReadable): void }) => NodeReadable;
  readonly Transform: new (options: {
    transform(chunk: Uint8Array, encoding: string, callback: (error: Error | null, chunk: Uint8Array) => void): void;
  }) => NodeReadable;
  pipeline(source: unknown, destination: unknown, callback: (error: Error | null | undefined) => void): unknown;
}

/** Node's `stream` module, or null outside Node (or on a Node without `process.getBuiltinModule`). */
export function nodeStreams(): NodeStreamModule | null {
  return nodeBuiltin<NodeStreamModule>('node:stream', (found) => typeof found.Readable === 'function' && typeof found.Transform === 'function' && typeof found.pipeline === 'function');
}

/** True for a Node Readable (an IncomingMessage, a zlib stream, a Readable), never for a web ReadableStream. */
export function isNodeReadable(value: unknown): value is NodeReadable {
  const streams = nodeStreams();
  return streams !== null && value instanceof streams.Readable;
}
