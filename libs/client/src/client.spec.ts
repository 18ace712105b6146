import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { build } from 'esbuild';
import {
  createClient,
  documentIdOf,
  ERROR_CODES,
  GraphQLRequestError,
  LoginDocument,
  MeDocument,
  MeQuery,
  PlaceOrderDocument,
  UnitTreeDocument,
} from './index';
import manifest from './generated/persisted-documents.json';

/** A stand-in gateway on a real port: records each request and answers with what the test queued. */
class FakeGateway {
  readonly received: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  private answers: { status: number; body: string; headers?: Record<string, string> }[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeGateway> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const gateway = new FakeGateway(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        gateway.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        const answer = gateway.answers.shift() ?? { status: 500, body: 'no answer queued' };
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body);
      });
    });
    return gateway;
  }

  answer(status: number, body: unknown, headers?: Record<string, string>): void {
    this.answers.push({ status, body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  }

  async stop(): Promise<void> {
    this.server.close();
    this.server.closeAllConnections();
    await once(this.server, 'close');
  }
}

let gateway: FakeGateway;
beforeAll(async () => {
  gateway = await FakeGateway.start();
});
afterAll(() => gateway.stop());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('a request', () => {
  it('sends the text, operation name and variables with the token, language, request id and client identity', async () => {
    const client = createClient({ url: gateway.url, token: 'tok-1', locale: 'zh-CN', clientName: 'console', clientVersion: '1.4.0' });
    gateway.answer(200, { data: { login: { token: 't', expiresAt: '2026-01-01T00:00:00.000Z', person: { id: '8', displayName: '周*', roles: ['RESIDENT'] } } } });
    const data = await client.request(LoginDocument, { input: { phone: '13900230008', password: 'kaizhou2026' } });
    const roles: string[] = data.login.person.roles; // typed by the document
    expect(roles).toEqual(['RESIDENT']);
    const { headers, body } = gateway.received.at(-1)!;
    expect(body).toEqual({ query: String(LoginDocument), operationName: 'Login', variables: { input: { phone: '13900230008', password: 'kaizhou2026' } } });
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer tok-1',
      'accept-language': 'zh-CN',
      'apollographql-client-name': 'console',
      'apollographql-client-version': '1.4.0',
    });
    expect(headers['x-request-id']).toMatch(UUID);
  });

  it('sends a new request id each time, no token when there is none, and the current token of a function', async () => {
    let token: string | undefined = undefined; // signed in later
    const client = createClient({ url: gateway.url, token: () => token });
    gateway.answer(200, { data: { me: null } });
    gateway.answer(200, { data: { me: null } });
    expect(await client.request(MeDocument)).toEqual({ me: null });
    token = 'tok-2';
    await client.request(MeDocument, {});
    const [first, second] = gateway.received.slice(-2);
    expect(first!.headers.authorization).toBeUndefined();
    expect(second!.headers.authorization).toBe('Bearer tok-2');
    expect(first!.headers['x-request-id']).not.toBe(second!.headers['x-request-id']);
    expect(first!.body.variables).toEqual({});
  });

  it('sends a persisted document by its id alone, `sha256:<hex>` as the manifest keys it', async () => {
    const client = createClient({ url: gateway.url, persisted: true });
    gateway.answer(200, { data: { unitTree: { root: { id: '1', name: '开州区' }, nodes: [] } } });
    await client.request(UnitTreeDocument, { depth: 1 });
    const { body } = gateway.received.at(-1)!;
    const id = documentIdOf(UnitTreeDocument)!;
    expect(body).toEqual({ documentId: id, operationName: 'UnitTree', variables: { depth: 1 } });
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((manifest as Record<string, string>)[id]).toMatch(/^query UnitTree\b/);
    // Per request, the text again.
    gateway.answer(200, { data: { unitTree: { root: { id: '1', name: '开州区' }, nodes: [] } } });
    await client.request(UnitTreeDocument, { depth: 1 }, { persisted: false });
    expect(gateway.received.at(-1)!.body).toMatchObject({ query: String(UnitTreeDocument) });
  });

  it('makes a client with other options from one, leaving the first as it was', async () => {
    const anonymous = createClient({ url: gateway.url, locale: 'en' });
    const signedIn = anonymous.with({ token: 'tok-3' });
    gateway.answer(200, { data: { me: null } });
    gateway.answer(200, { data: { me: null } });
    await signedIn.request(MeDocument);
    await anonymous.request(MeDocument);
    const [first, second] = gateway.received.slice(-2);
    expect([first!.headers.authorization, first!.headers['accept-language']]).toEqual(['Bearer tok-3', 'en']);
    expect(second!.headers.authorization).toBeUndefined();
  });
});

describe('a failed request', () => {
  const clientOf = () => createClient({ url: gateway.url });

  async function failure(promise: Promise<unknown>): Promise<GraphQLRequestError> {
    const error = await promise.then(
      () => {
        throw new Error('expected the request to fail');
      },
      (error: unknown) => error,
    );
    expect(error).toBeInstanceOf(GraphQLRequestError);
    return error as GraphQLRequestError;
  }

  it('rejects with the first error’s code, its extensions, every error, the partial data, the status and the request id', async () => {
    gateway.answer(
      200,
      {
        data: { me: { id: '8' }, order: null },
        errors: [
          { message: 'You are not allowed to do this.', path: ['order'], extensions: { code: 'FORBIDDEN', serviceName: 'orders' } },
          { message: 'odd', extensions: { code: 'SOMETHING_NEW' } },
        ],
      },
      { 'x-request-id': 'gw-123' },
    );
    const error = await failure(clientOf().request(MeDocument));
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 200, requestId: 'gw-123', operationName: 'Me', message: 'You are not allowed to do this.' });
    expect(error.extensions).toEqual({ code: 'FORBIDDEN', serviceName: 'orders' });
    expect(error.codes).toEqual(['FORBIDDEN', 'INTERNAL_SERVER_ERROR']); // a code this client does not know
    expect(error.errors[1]!.extensions!.code).toBe('SOMETHING_NEW');
    expect(error.data).toEqual({ me: { id: '8' }, order: null });
  });

  it('carries the HTTP status of refusals before GraphQL runs, with our request id when the gateway sends none', async () => {
    gateway.answer(401, { errors: [{ message: '访问令牌已过期，请重新登录。', extensions: { code: 'UNAUTHENTICATED', reason: 'expiredToken' } }] });
    const error = await failure(clientOf().request(MeDocument));
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, extensions: { reason: 'expiredToken' } });
    expect(error.requestId).toBe(gateway.received.at(-1)!.headers['x-request-id']);
  });

  it('codes an answer that is not GraphQL by its status, and no answer at all as SERVICE_UNAVAILABLE with status 0', async () => {
    gateway.answer(502, '<html>Bad Gateway</html>');
    expect(await failure(clientOf().request(MeDocument))).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 502, errors: [] });
    gateway.answer(429, { error: 'slow down' });
    expect(await failure(clientOf().request(MeDocument))).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    const nowhere = createClient({ url: 'http://127.0.0.1:1/graphql' });
    const error = await failure(nowhere.request(MeDocument));
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 0 });
    expect(error.requestId).toMatch(UUID);
  });

  it('lets an aborted request reject with the abort, not as an error of the gateway', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(clientOf().request(MeDocument, {}, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('the error codes', () => {
  it('include every code of the error table in docs/api.md and every code Apollo Server sends', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');
    const table = doc.split(/^## /m).find((section) => section.startsWith('Errors'))!;
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]!);
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.filter((code) => !ERROR_CODES.includes(code as never))).toEqual([]);
    expect(Object.values(ApolloServerErrorCode).filter((code) => !ERROR_CODES.includes(code as never))).toEqual([]);
  });
});

describe('the package', () => {
  it('bundles for a browser: nothing of Node, no GraphQL parser, no server code', async () => {
    const result = await build({
      entryPoints: [join(__dirname, 'index.ts')],
      absWorkingDir: join(__dirname, '..', '..', '..'),
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    // One dependency: graphql-ws's browser client, for the live updates (`live.ts`); it has no GraphQL parser.
    expect(inputs.filter((input) => !input.startsWith('libs/client/src/') && !input.startsWith('node_modules/graphql-ws/dist/'))).toEqual([]);
    expect(inputs.filter((input) => input.startsWith('node_modules/graphql-ws/dist/') && /server|use\//.test(input))).toEqual([]);
    expect(inputs.some((input) => input.includes('generated/gql'))).toBe(false);
    expect(result.outputFiles[0]!.text).not.toMatch(/\brequire\(|from ["']node:/);
  });
});

// Compile-time checks (npm run typecheck): variables are required exactly when the operation requires them.
export function typeChecks(client: ReturnType<typeof createClient>): void {
  void client.request(MeDocument).then((data: MeQuery) => data.me?.realName);
  // @ts-expect-error the input is required
  void client.request(PlaceOrderDocument);
  // @ts-expect-error not a field of the input
  void client.request(LoginDocument, { input: { phone: '1', password: '2', remember: true } });
}
