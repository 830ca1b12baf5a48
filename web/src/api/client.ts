/**
 * A typed wrapper of the axios instance over the generated v2 document types: each call names a
 * path and a method of the document, and TypeScript checks its path and query parameters, its
 * headers, its body (and that body's media type) and the body of its success answer.
 *
 * It adds nothing at run time but filling in path parameters and the media type: requests go
 * through `http`, so they keep its 401 → refresh → replay interceptor.
 */
import type { AxiosResponse, RawAxiosRequestHeaders } from 'axios';
import { http } from './http';
import type { paths } from './v2/schema';

/** The version prefix of the document's paths; `http`'s base URL already ends with it. */
export const V2_PREFIX = '/api/v2';

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type Unprefixed<P> = P extends `${typeof V2_PREFIX}${infer Rest}` ? Rest : never;

/** A path of the v2 document, as the client spells it: `/tasks/{taskId}`. */
export type ApiPath = Unprefixed<keyof paths>;
type Item<P extends ApiPath> = paths[`${typeof V2_PREFIX}${P}`];

/** The paths that have an operation for `M`. */
export type PathsWith<M extends Method> = {
  [P in ApiPath]: Item<P> extends { [K in M]: object } ? P : never;
}[ApiPath];

export type Operation<M extends Method, P extends PathsWith<M>> = NonNullable<Item<P>[M]>;

type Parameters<O> = O extends { parameters: infer X } ? X : never;
/** `X`, unless it is missing (`never` or `undefined`, as `query?: never` reads). */
type Present<X> = [NonNullable<X>] extends [never] ? never : NonNullable<X>;
type PathParams<O> = Parameters<O> extends { path: infer X } ? Present<X> : never;
type QueryParams<O> = Parameters<O> extends { query?: infer X } ? Present<X> : never;
type HeaderParams<O> = Parameters<O> extends { header?: infer X } ? Present<X> : never;
type RequestBody<O> = O extends { requestBody?: infer X } ? Present<X> : never;
type BodyRequired<O> = O extends { requestBody: object } ? true : false;

/** Headers the document does not list but the app sends: the CSRF guard of cookie calls. */
interface ExtraHeaders {
  'X-Requested-With'?: 'XMLHttpRequest';
}

/**
 * The body, and its media type where it is not JSON (a merge patch): one of the media types
 * the operation takes, with the body that media type carries.
 */
type BodyOptions<O> = [RequestBody<O>] extends [never]
  ? { body?: never; contentType?: never }
  : RequestBody<O> extends { content: infer C }
    ? {
        [K in keyof C & string]: BodyRequired<O> extends true
          ? K extends 'application/json'
            ? { body: C[K]; contentType?: K }
            : { body: C[K]; contentType: K }
          : { body?: C[K]; contentType?: K };
      }[keyof C & string]
    : never;

export type CallOptions<O> = ([PathParams<O>] extends [never] ? { path?: never } : { path: PathParams<O> }) &
  ([QueryParams<O>] extends [never] ? { query?: never } : { query?: QueryParams<O> }) & {
    headers?: ([HeaderParams<O>] extends [never] ? unknown : HeaderParams<O>) & ExtraHeaders;
    signal?: AbortSignal;
  } & BodyOptions<O>;

type Responses<O> = O extends { responses: infer R } ? R : never;
type SuccessStatus = 200 | 201 | 202 | 204;
type JsonBody<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;

/** The body of the operation's success answers (`undefined` for 204). */
export type Ok<O> = {
  [S in keyof Responses<O>]: S extends SuccessStatus ? JsonBody<Responses<O>[S]> : never;
}[keyof Responses<O>];

export interface ApiResult<T> {
  data: T;
  status: number;
  /** The answer's ETag, when it has one (tasks: their revision, quoted). */
  etag: string | undefined;
  headers: AxiosResponse['headers'];
}

/** Options are optional exactly when nothing in them is required. */
type Args<O> = object extends CallOptions<O> ? [options?: CallOptions<O>] : [options: CallOptions<O>];

/** `/tasks/{taskId}` with `{ taskId: 'a b' }` → `/tasks/a%20b`. */
export function expandPath(path: string, params: Record<string, string | number> | undefined): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === '') throw new Error(`Missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(String(value));
  });
}

/** Query parameters without the ones left empty, so that "no filter" sends nothing. */
function presentOnly(query: object | undefined): Record<string, unknown> | undefined {
  if (!query) return undefined;
  const entries = Object.entries(query).filter(([, value]) => value !== undefined && value !== null && value !== '');
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

async function call<M extends Method, P extends PathsWith<M>>(
  method: M,
  path: P,
  ...[options]: Args<Operation<M, P>>
): Promise<ApiResult<Ok<Operation<M, P>>>> {
  const { path: pathParams, query, headers, body, contentType, signal } = (options ?? {}) as {
    path?: Record<string, string | number>;
    query?: object;
    headers?: RawAxiosRequestHeaders;
    body?: unknown;
    contentType?: string;
    signal?: AbortSignal;
  };
  const response = await http.request<Ok<Operation<M, P>>>({
    method,
    url: expandPath(path, pathParams),
    params: presentOnly(query),
    headers: contentType ? { ...headers, 'Content-Type': contentType } : headers,
    data: body,
    signal,
  });
  const etag: unknown = response.headers.etag;
  return {
    data: response.data,
    status: response.status,
    etag: typeof etag === 'string' ? etag : undefined,
    headers: response.headers,
  };
}

/** The v2 API, one function per method: `api.get('/tasks/{taskId}', { path: { taskId } })`. */
export const api = {
  get: <P extends PathsWith<'get'>>(path: P, ...args: Args<Operation<'get', P>>) => call('get', path, ...args),
  post: <P extends PathsWith<'post'>>(path: P, ...args: Args<Operation<'post', P>>) => call('post', path, ...args),
  put: <P extends PathsWith<'put'>>(path: P, ...args: Args<Operation<'put', P>>) => call('put', path, ...args),
  patch: <P extends PathsWith<'patch'>>(path: P, ...args: Args<Operation<'patch', P>>) => call('patch', path, ...args),
  delete: <P extends PathsWith<'delete'>>(path: P, ...args: Args<Operation<'delete', P>>) =>
    call('delete', path, ...args),
};
