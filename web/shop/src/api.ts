// The one place the storefront talks to the REST api (api/openapi.yaml), on the same origin
// through nginx. Every failure becomes an ApiProblem carrying the request id the api answered
// with (X-Request-Id, also the problem's trace_id), so the page can show it to the shopper.

export interface User {
  id: number;
  sid: string;
  username: string;
  email: string;
  is_active: boolean;
  created_at: string;
}

export interface Product {
  id: number;
  name: string;
  description: string;
  category: string;
  price: number;
  slogan: string;
  stock: number;
  created_at: string;
}

export interface Order {
  id: number;
  user_id: number;
  product_id: number;
  quantity: number;
  unit_price: number;
  total_price: number;
  status: 'placed' | 'cancelled';
  created_at: string;
  cancelled_at: string | null;
}

export interface LoginAnswer {
  token: string;
  token_type: string;
  expires_in: number;
  user: User;
}

// A problem response (RFC 9457), or status 0 when the store could not be reached at all.
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly requestId: string | null,
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  idempotencyKey?: string;
}

export async function Call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiProblem(0, 'Network error', 'the store could not be reached', null);
  }
  const requestId = response.headers.get('X-Request-Id');
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const problem = (body ?? {}) as { title?: unknown; detail?: unknown; trace_id?: unknown };
    throw new ApiProblem(
      response.status,
      typeof problem.title === 'string' ? problem.title : response.statusText,
      typeof problem.detail === 'string' ? problem.detail : '',
      requestId ?? (typeof problem.trace_id === 'string' ? problem.trace_id : null),
    );
  }
  return body as T;
}

// A fresh Idempotency-Key (api/openapi.yaml: 1..255 printable characters).
// crypto.getRandomValues, unlike randomUUID, works on plain-HTTP origins too.
export function NewIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `shop-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
