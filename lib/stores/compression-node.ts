/**
 * Node's zlib as a {@link Compressor} for the codec, and the compression options of the Node stores
 * (Redis, Mongo). Only those stores import this file, so the codec itself stays free of `node:` modules.
 */
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants, gunzip, gzip } from 'node:zlib';
import type { CompressionAlgorithm, Compressor, EncodeOptions } from './codec.js';
import { storeOptionError } from './store-options.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const brotliCompressAsync = promisify(brotliCompress);
const brotliDecompressAsync = promisify(brotliDecompress);

/** Brotli quality 4: most of brotli's gain at a fraction of the default (11) cost. */
const BROTLI_QUALITY = 4;

export const nodeCompressor: Compressor = {
  async compress(algorithm: CompressionAlgorithm, data: Uint8Array): Promise<Uint8Array> {
    if (algorithm === 'brotli') {
      return brotliCompressAsync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } });
    }
    return gzipAsync(data);
  },
  async decompress(algorithm: CompressionAlgorithm, data: Uint8Array, maxBytes: number): Promise<Uint8Array> {
    // zlib stops inflating once the output would pass maxOutputLength, and fails with ERR_BUFFER_TOO_LARGE.
    const options = { maxOutputLength: maxBytes };
    try {
      return await (algorithm === 'brotli' ? brotliDecompressAsync(data, options) : gunzipAsync(data, options));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new RangeError(`the output passes ${maxBytes} bytes`, { cause: error });
      throw error;
    }
  },
};

/** The compression options the Redis and Mongo stores share. */
export interface StoreCompressionOptions {
  /** Compress an encoded record larger than this many bytes. Off when absent. */
  readonly compressAboveBytes?: number;
  /** @default 'gzip' */
  readonly compression?: CompressionAlgorithm;
}

/** Checks a store's compression options (a TypeError naming the option) and turns them into the codec's {@link EncodeOptions}. */
export function nodeEncodeOptions(storeName: string, options: StoreCompressionOptions): EncodeOptions {
  const above = options.compressAboveBytes;
  if (above !== undefined && !(Number.isFinite(above) && above >= 0)) {
    throw storeOptionError(storeName, 'option compressAboveBytes must be a non-negative number of bytes');
  }
  const algorithm = options.compression ?? 'gzip';
  if (algorithm !== 'gzip' && algorithm !== 'brotli') throw storeOptionError(storeName, `option compression must be 'gzip' or 'brotli', got ${JSON.stringify(algorithm)}`);
  return above === undefined ? { algorithm, compressor: nodeCompressor } : { compressAboveBytes: above, algorithm, compressor: nodeCompressor };
}
