import type { ServerResponse } from 'node:http';
import { ApolloServer, BaseContext, HeaderMap, HTTPGraphQLResponse } from '@apollo/server';
import type { ParsedRequest } from './server';

/** Hands a parsed request to Apollo Server and writes its response, streaming incremental results if any. */
export async function executeApollo<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  request: ParsedRequest,
  res: ServerResponse,
  context: () => Promise<TContext>,
  extraHeaders: () => Record<string, string> = () => ({}),
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(request.req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const response: HTTPGraphQLResponse = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.req.method ?? 'POST', headers, search: request.url.search, body: request.body },
    context,
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  for (const [key, value] of Object.entries(extraHeaders())) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
