import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { signClaims } from '@kz/auth';
import { REQUEST_ID_HEADER } from '@kz/http';
import type { GatewayContext } from './context';

/** Node's fetch (undici) pools keep-alive connections per subgraph, so requests do not pay a TCP handshake each. */
const keepAliveFetcher = fetch as unknown as Fetcher;

/**
 * Forwards each subgraph request with the caller's claims, signed together with a timestamp and a digest of the
 * exact operation, plus the caller's language and the request id for the logs.
 */
export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, private readonly secret: string) {
    super({ url, fetcher: keepAliveFetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http!.headers;
    const signed = signClaims(this.secret, context?.claims ?? null, {
      query: request.query ?? '',
      variables: request.variables ?? null,
    });
    for (const [name, value] of Object.entries(signed)) headers.set(name, value);
    if (context?.acceptLanguage) headers.set('accept-language', context.acceptLanguage);
    if (context?.requestId) headers.set(REQUEST_ID_HEADER, context.requestId);
  }
}
