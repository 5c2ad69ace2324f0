/**
 * Turns what a user passes to `cache.get()` / `cache.has()` (a URL or a request config) into the config the
 * caching adapter would have seen for that request, so the key is computed exactly as the flow computes it.
 */
import { AxiosHeaders, mergeConfig } from 'axios';
import type { AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios';
import type { CacheRecord } from '../record.js';
import type { CacheContext } from './context.js';
import { isModel, modelRequest } from './request-model.js';
import type { RequestModel } from './request-model.js';
import { findMatchingRecord } from './records.js';
import { resolveRequestOptions } from './resolve-options.js';

const METHOD_HEADER_GROUPS = ['common', 'delete', 'get', 'head', 'post', 'put', 'patch', 'options'];

function isPlainData(data: unknown): boolean {
  if (data === null || typeof data !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(data);
  return Array.isArray(data) || proto === Object.prototype || proto === null;
}

/**
 * Merges the instance defaults into `target` as axios does before dispatching: flat headers (common and
 * per-method defaults folded in) and a plain-object body serialised to JSON, as axios' default
 * `transformRequest` would send it.
 */
export function requestConfigFor(defaults: AxiosRequestConfig, target: string | AxiosRequestConfig): InternalAxiosRequestConfig {
  const merged = mergeConfig(defaults, typeof target === 'string' ? { url: target } : target);
  const method = (merged.method ?? 'get').toLowerCase();
  const grouped = (merged.headers ?? {}) as Record<string, unknown>;
  const flat = new AxiosHeaders();
  for (const group of ['common', method]) {
    const values = grouped[group];
    if (values !== null && typeof values === 'object') flat.set(values as Record<string, string>);
  }
  for (const [name, value] of Object.entries(grouped)) {
    if (!METHOD_HEADER_GROUPS.includes(name) && value !== undefined && value !== null) flat.set(name, value as string);
  }
  const data: unknown = merged.data;
  return { ...merged, method, headers: flat, data: isPlainData(data) ? JSON.stringify(data) : data };
}

/** The model the flow would build for this request, or undefined when the cache would not store it (a stream body, say). */
export function modelFor(ctx: CacheContext, config: InternalAxiosRequestConfig): RequestModel | undefined {
  const request = resolveRequestOptions(config.cache);
  const model = modelRequest(ctx, config, request === false ? {} : request);
  if (isModel(model)) return model;
  if (model.error) throw model.error;
  return undefined;
}

/** The record that would answer this request, following `Vary` variants as the flow does. */
export function findRecordFor(get: (key: string) => Promise<CacheRecord | undefined>, ctx: CacheContext, model: RequestModel): Promise<CacheRecord | undefined> {
  return findMatchingRecord(get, model.key, model.wire, model.config, ctx.options);
}
