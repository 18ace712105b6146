import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { decodeJwt } from 'jose';
import { Claims, claimsFromPayload, signClaims } from '@kz/auth';
import { loadConfigOrExit } from '@kz/config';
import { subgraphUrlsFromConfig } from '@kz/gateway';
import { executeApollo, readBody } from '@kz/http';
import { WORKSPACE } from '../compose/compose';

/**
 * The baseline of the gateway benchmarks' "bare Apollo Gateway" target (issue 13), run as a process of its own by
 * `launchBareGateway` (./processes.ts): Apollo Server and Apollo Gateway with their default options over the same
 * supergraph and subgraphs as our gateway, and only what the subgraphs need to accept a call: the caller's claims,
 * signed per subgraph fetch with `signClaims` as our gateway signs them. The claims are read from the bearer token
 * without verifying it (no authentication, so its cost stays on our side of the comparison); no rate limit, trusted
 * documents, query limits, logging, metrics, CORS or error formatting. Plain `node:http`, the body read by
 * `readBody` and handed to Apollo Server's integration API by `executeApollo`. Bench only: it trusts any token.
 * Prints `ready <url>` once it listens; stops on SIGTERM.
 */
interface BareContext {
  claims: Claims | null;
}

const config = loadConfigOrExit();
const urls = subgraphUrlsFromConfig(config);

/** The token's claims, unverified (the bench signs every token it sends); null without a bearer token. */
function claimsOf(authorization: string | undefined): Claims | null {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  return token ? claimsFromPayload(decodeJwt(token)) : null;
}

class ClaimsDataSource extends RemoteGraphQLDataSource<BareContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<BareContext>): void {
    const signed = signClaims(config.CLAIMS_SIGNING_SECRET, context?.claims ?? null, { query: request.query ?? '', variables: request.variables ?? null });
    for (const [name, value] of Object.entries(signed)) request.http!.headers.set(name, value);
  }
}

async function main(): Promise<void> {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.SUPERGRAPH_FILE ?? join(WORKSPACE, 'apps', 'gateway', 'supergraph.graphql'), 'utf8'),
    buildService: ({ name, url }) => new ClaimsDataSource({ url: urls[name] ?? url }),
  });
  const apollo = new ApolloServer<BareContext>({ gateway });
  await apollo.start();
  const server = createServer((req, res) => {
    void (async () => {
      const raw = req.method === 'POST' ? await readBody(req, config.MAX_BODY_BYTES) : '';
      const url = new URL(req.url ?? '/', 'http://localhost');
      const context = { claims: claimsOf(req.headers.authorization) };
      await executeApollo(apollo, { req, body: raw ? JSON.parse(raw) : undefined, url }, res, async () => context);
    })().catch(() => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  server.keepAliveTimeout = 65_000; // as our gateway's server keeps the load generator's connections between rounds
  server.listen(config.GATEWAY_PORT, '127.0.0.1', () => process.stdout.write(`ready http://127.0.0.1:${config.GATEWAY_PORT}/graphql\n`));
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void apollo.stop().then(() => process.exit(0));
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`bare gateway: ${String(error)}\n`);
  process.exit(1);
});
