import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, ClientOptions, createClient, GraphQLRequestError, LoginDocument } from '@kz/client';
import { Manifest, parseManifest } from '@kz/gateway';
import { DEMO_PASSWORD } from '@kz/seed-data';

/**
 * How the journeys on `@kz/client` send their documents: by id (`{"documentId":"sha256:…"}`), as front-end apps do
 * in production. Their platforms publish the client's manifest first (`startPlatform({ clientManifest: true })`);
 * the journey spec's gateway enforces trusted documents. `'text'` sends the documents' text instead.
 */
export const SEND_DOCUMENTS_AS: 'text' | 'persisted' = 'persisted';

/** The app and version the e2e client calls as, and publishes the client's manifest under. */
export const E2E_CLIENT = { name: 'kz-e2e', version: '1' } as const;

/** The typed client (`@kz/client`) on the platform's gateway, as a front-end app makes it. */
export function gatewayClient(gatewayUrl: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({
    url: gatewayUrl,
    clientName: E2E_CLIENT.name,
    clientVersion: E2E_CLIENT.version,
    persisted: SEND_DOCUMENTS_AS === 'persisted',
    ...options,
  });
}

/** Signs in through the gateway with the client's `Login` document and returns the client carrying the token. */
export async function signIn(client: Client, phone: string, password = DEMO_PASSWORD): Promise<Client> {
  const { login } = await client.request(LoginDocument, { input: { phone, password } });
  return client.with({ token: login.token });
}

/** The error a request rejects with; fails the test if it succeeds. */
export async function refusal(request: Promise<unknown>): Promise<GraphQLRequestError> {
  const outcome = await request.then(
    (data) => new Error(`expected a refusal, got ${JSON.stringify(data)}`),
    (error: unknown) => error,
  );
  if (!(outcome instanceof GraphQLRequestError)) throw outcome;
  return outcome;
}

/** The client's persisted-documents manifest (`npm run codegen`), read as `npm run documents:publish` reads it. */
export function clientManifest(): Manifest {
  const file = join(__dirname, '..', '..', '..', 'libs', 'client', 'src', 'generated', 'persisted-documents.json');
  return parseManifest(JSON.parse(readFileSync(file, 'utf8')));
}
