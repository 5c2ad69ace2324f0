/**
 * Type tests, compiled by the main `tsc` run and never executed: what a strict TypeScript user writes with a
 * cached instance. A `@ts-expect-error` line fails the build if what it marks starts to compile.
 */
import axios from 'axios';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { attachCache, cacheInfoOf } from '../../lib/index.js';
import type { CachedAxiosInstance, CachedResponse, CacheInfo, CacheStatus } from '../../lib/index.js';

interface User {
  readonly id: number;
}

export async function quickStart(): Promise<void> {
  const cache = attachCache(axios.create({ baseURL: 'https://api.example.com' }), { ttl: 180_000 });
  const api = cache.instance;
  const b = await api.get('/users?q=location:Paris');
  const status: CacheStatus = b.cacheInfo.status;
  const fromCache: boolean = b.fromCache;
  const freshUntil: number | undefined = b.cacheInfo.freshUntil;
  void [status, fromCache, freshUntil];
}

export async function typedData(api: CachedAxiosInstance): Promise<void> {
  const users = await api.get<User[]>('/users');
  const id: number | undefined = users.data[0]?.id;
  const posted = await api.post<User>('/users', { name: 'a' });
  const called = await api<User>({ url: '/users/1' });
  const requested = await api.request<User>({ url: '/users/1' });
  const infos: CacheInfo[] = [posted.cacheInfo, called.cacheInfo, requested.cacheInfo];
  // @ts-expect-error the data is typed: a User has no name
  void users.data[0]?.name;
  void [id, infos];
}

export async function stillAnAxiosInstance(api: CachedAxiosInstance): Promise<void> {
  const plain: AxiosInstance = api;
  const response: AxiosResponse<User> = await api.get<User>('/users/1');
  // A type argument R still overrides the response type, as in axios.
  const data: User = await api.get<User, User>('/users/1');
  void [plain, response, data];
}

export async function plainInstances(plain: AxiosInstance): Promise<void> {
  const response = await plain.get('/users');
  // @ts-expect-error on a plain instance cacheInfo is optional: use the handle's instance, or cacheInfoOf()
  void response.cacheInfo.status;
  const status: CacheStatus = cacheInfoOf(response).status;
  const typed: CachedResponse<User> | undefined = undefined;
  // @ts-expect-error a plain AxiosResponse is not a CachedResponse
  const narrowed: CachedResponse = response;
  void [status, typed, narrowed];
}
