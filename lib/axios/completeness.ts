/**
 * Whether a compressed response's body is known to be complete. axios' adapters reject a body that ends before its
 * `Content-Length` or mid-chunk, but a body delimited only by the connection closing (HTTP/1, neither
 * `Content-Length` nor chunked) ends the same way whether the origin finished or the network cut it, and axios
 * decodes a gzip body cut there without an error. Such a compressed body is never stored. (An uncompressed one cut
 * there cannot be told from a complete one by anybody, browsers included.) Node's http adapter leaves the raw headers
 * on `response.request.res`; other adapters show nothing, and are trusted.
 */
import type { AxiosResponse } from 'axios';

interface IncomingTraces {
  readonly rawHeaders?: unknown;
  readonly httpVersionMajor?: unknown;
}

/** True when the response came over HTTP/1 with a compressed body delimited only by the connection closing. */
export function unframedCompressed(response: AxiosResponse, method: string): boolean {
  if (method === 'HEAD' || response.status === 204 || response.status === 304) return false;
  const res = (response.request as { res?: IncomingTraces } | null | undefined)?.res;
  if (!res || !Array.isArray(res.rawHeaders) || res.httpVersionMajor !== 1) return false;
  const raw = res.rawHeaders as unknown[];
  let compressed = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = typeof raw[i] === 'string' ? (raw[i] as string).toLowerCase() : '';
    if (name === 'content-length' || name === 'transfer-encoding') return false;
    if (name === 'content-encoding' && String(raw[i + 1]).trim().toLowerCase() !== 'identity') compressed = true;
  }
  return compressed;
}
