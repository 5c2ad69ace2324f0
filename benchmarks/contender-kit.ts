/**
 * Shared pieces of contenders: how one operation is checked, and the answer-correctness probe run
 * once per contender (is the body intact? does mutating an answer change the next answer?).
 */
import type { AxiosResponse } from 'axios';
import type { BodyCase } from './bodies.js';
import type { Contender } from './harness.js';

/** What one request must show to count as the operation the row claims (a hit, a 304, a miss). */
export type Expect = (response: AxiosResponse) => boolean;

export const anyAnswer: Expect = (response) => response.status === 200;
/** axios-http-cache answered from its store without the network. */
export const ahcHit: Expect = (response) => response.fromCache === true && response.cacheInfo?.status === 'hit';
export const ahcRevalidated: Expect = (response) => response.cacheInfo?.status === 'revalidated';
export const ahcMiss: Expect = (response) => response.cacheInfo?.status === 'miss';

/** A contender built from "send one request" plus what its answer must show. */
export interface RequestContender extends Contender {
  /** One request, unchecked: used by the correctness probe. */
  readonly request: () => Promise<AxiosResponse>;
}

export function requestContender(
  id: string,
  label: string,
  request: () => Promise<AxiosResponse>,
  expect: Expect,
  close?: () => Promise<void>,
): RequestContender {
  return {
    id,
    label,
    request,
    run: async () => {
      const response = await request();
      if (!expect(response)) {
        throw new Error(`${label}: the answer is not what this row measures (status ${response.status}, cacheInfo ${JSON.stringify(response.cacheInfo)})`);
      }
    },
    ...(close ? { close } : {}),
  };
}

/** True when `data` is the prepared body, as the caller of axios would see it. */
export function sameBody(data: unknown, body: BodyCase): boolean {
  if (typeof body.body === 'string') {
    return typeof data === 'object' && data !== null && JSON.stringify(data) === body.body;
  }
  if (data instanceof ArrayBuffer) return Buffer.from(data).equals(body.body);
  return data instanceof Uint8Array && Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(body.body);
}

/** Changes an answer in place, as a careless caller would; frozen data refuses (strict mode throws), which is the point. */
function mutate(data: unknown): void {
  try {
    if (Array.isArray(data)) {
      data.length = 0;
      data.push({ mutated: true });
    } else if (data instanceof Uint8Array) {
      data.fill(0);
    } else if (data instanceof ArrayBuffer) {
      new Uint8Array(data).fill(0);
    } else if (typeof data === 'object' && data !== null) {
      (data as Record<string, unknown>)['mutated'] = true;
    }
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}

export interface ProbeResult {
  /** The answer equals the prepared body (JSON parsed, bytes as Buffer/ArrayBuffer). */
  readonly intact: boolean;
  /** After the caller mutated one answer, the next answer is still intact. */
  readonly isolated: boolean;
}

/** Checks a contender's answers once, outside the timed rounds. */
export async function probe(contender: RequestContender, body: BodyCase): Promise<ProbeResult> {
  const first = await contender.request();
  const intact = sameBody(first.data, body);
  mutate(first.data);
  const second = await contender.request();
  return { intact, isolated: intact && sameBody(second.data, body) };
}
