/**
 * Node's zlib as a {@link Compressor} for the codec. Only the Node stores (Redis, Mongo) import
 * this file, so the codec itself stays free of `node:` modules.
 */
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants, gunzip, gzip } from 'node:zlib';
import type { CompressionAlgorithm, Compressor } from './codec.js';

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
  async decompress(algorithm: CompressionAlgorithm, data: Uint8Array): Promise<Uint8Array> {
    return algorithm === 'brotli' ? brotliDecompressAsync(data) : gunzipAsync(data);
  },
};
