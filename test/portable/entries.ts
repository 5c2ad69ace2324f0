/** The portable entry the import tests build on. */
import type { PortableEntry } from '../../lib/index.js';
import { ORIGIN } from '../axios/helpers.js';

/** A valid portable entry for GET ORIGIN/path, fresh for a minute after `now`. */
export function entry(now: number, path = '/ok', changes: Record<string, unknown> = {}): PortableEntry {
  return {
    format: 'axios-http-cache/entry',
    v: 1,
    key: `GET ${ORIGIN}${path}`,
    method: 'GET',
    url: `${ORIGIN}${path}`,
    status: 200,
    statusText: 'OK',
    headers: { 'cache-control': 'max-age=60', 'content-type': 'text/plain' },
    body: { text: `body of ${path}` },
    requestTime: now,
    responseTime: now,
    createdAt: now,
    expiresAt: now + 60_000,
    ...changes,
  };
}
