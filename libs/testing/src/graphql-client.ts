import { Claims, signClaims } from '@kz/auth';

export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface RequestOptions {
  token?: string;
  language?: string;
  headers?: Record<string, string>;
}

/** A GraphQL POST over real HTTP, the way a client does it. */
export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<GraphQLResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.language) headers['accept-language'] = options.language;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  let body: { data?: T | null; errors?: GraphQLResult['errors'] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, headers: response.headers, ...body };
}

/** Calls a subgraph directly as the gateway would, signing the claims (tests of batching and of the signature). */
export function signedSubgraphRequest<T = Record<string, unknown>>(
  url: string,
  secret: string,
  claims: Claims | null,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  return graphql<T>(url, query, variables, { headers: { ...signClaims(secret, claims, { query, variables }), ...headers } });
}

/** The `extensions.code` of each error, for compact assertions. */
export function errorCodes(result: GraphQLResult): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}

/** The data of a result that must have succeeded; throws with the errors otherwise. */
export async function dataOf<T>(result: Promise<GraphQLResult<T>>): Promise<T> {
  const { data, errors } = await result;
  if (errors || !data) throw new Error(JSON.stringify(errors));
  return data;
}
