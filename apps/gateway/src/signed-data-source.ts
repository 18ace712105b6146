import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError, Kind, parse, type DocumentNode } from 'graphql';
import { signClaims } from '@kz/auth';
import { pickLocale, translate } from '@kz/errors';
import { REQUEST_ID_HEADER } from '@kz/http';
import { traceHeaders } from '@kz/telemetry';
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
    // With tracing on, the gateway's fetch span (`gateway.fetch`) as the subgraph's parent. Not signed: the signature
    // covers the claims, the time and the operation, and a forged traceparent can only mislabel a trace.
    for (const [name, value] of Object.entries(traceHeaders())) headers.set(name, value);
  }

  /**
   * An answer with an HTTP error status (a subgraph answers 400 when its scalars refuse a variable, e.g. a bad
   * DateTime) goes on as the subgraph's first error, message and code, never with the subgraph's URL or raw body
   * (Apollo's default puts both in `extensions.response`).
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const body = await this.parseBody(response).catch(() => null);
    const errors = body && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined;
    const first = Array.isArray(errors) ? (errors[0] as { message?: unknown; extensions?: Record<string, unknown> }) : undefined;
    if (typeof first?.message === 'string' && typeof first.extensions?.code === 'string') {
      return new GraphQLError(first.message, { extensions: first.extensions });
    }
    return new GraphQLError(translate('internal', {}, 'en'), { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }

  /**
   * A subgraph that cannot be reached (stopped, refused, reset, timed out) leaves the fields it owns null, each root
   * field with a `SERVICE_UNAVAILABLE` error at its path (the gateway adds `serviceName`), while the rest of the
   * answer comes back as usual. An answer with an HTTP error status is passed on as the subgraph gave it.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<RemoteGraphQLDataSource['process']> {
    try {
      return await super.process(options);
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      const context = options.context as Partial<GatewayContext> | undefined;
      const message = translate('service.unavailable', {}, context?.locale ?? pickLocale(context?.acceptLanguage));
      const extensions = { code: 'SERVICE_UNAVAILABLE' };
      const fields = rootFields(options);
      if (fields.length === 0 || fields.includes('_entities')) return { errors: [{ message, extensions }] };
      return { errors: fields.map((field) => ({ message, path: [field], extensions })) };
    }
  }
}

/** The response names of the top-level fields a subgraph operation asks for. */
function rootFields(options: GraphQLDataSourceProcessOptions<GatewayContext>): string[] {
  let document: DocumentNode | undefined = 'document' in options ? options.document : undefined;
  try {
    document ??= parse(options.request.query ?? '');
  } catch {
    return [];
  }
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  return operation.selectionSet.selections.flatMap((selection) =>
    selection.kind === Kind.FIELD && selection.name.value !== '__typename' ? [selection.alias?.value ?? selection.name.value] : [],
  );
}
