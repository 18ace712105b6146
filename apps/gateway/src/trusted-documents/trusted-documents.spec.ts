import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { ParsedRequest } from '@kz/http';
import { ClientLabels } from '../client-identity';
import { documentHash, parseManifest, trustedDocumentsMode } from './index';
import { documentAsk, withText } from './request';

/** The manifest `npm run codegen` writes for @kz/client, keyed by document id. */
const clientManifest: Record<string, string> = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'libs', 'client', 'src', 'generated', 'persisted-documents.json'), 'utf8'),
);

const hash = documentHash('{ __typename }');
const post = (body: unknown, headers: Record<string, string> = {}): ParsedRequest => ({
  req: { method: 'POST', headers } as unknown as IncomingMessage,
  body,
  url: new URL('http://localhost/graphql'),
});
const get = (search: string): ParsedRequest => ({ req: { method: 'GET', headers: {} } as unknown as IncomingMessage, body: undefined, url: new URL(`http://localhost/graphql?${search}`) });

describe('reading what a request asks for', () => {
  it('takes documentId with or without the sha256: prefix, and keeps an id it cannot read for the refusal', () => {
    expect(documentAsk(post({ documentId: `sha256:${hash}` }))).toEqual({ kind: 'id', form: 'documentId', id: `sha256:${hash}`, hash, text: null });
    expect(documentAsk(post({ documentId: hash }))).toMatchObject({ kind: 'id', hash });
    expect(documentAsk(post({ documentId: `md5:${hash.slice(0, 32)}` }))).toMatchObject({ kind: 'id', hash: null });
  });

  it("takes Apollo's persistedQuery extension, with or without the text, and GET parameters", () => {
    expect(documentAsk(post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }))).toMatchObject({ form: 'persistedQuery', hash, text: null });
    expect(documentAsk(post({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }))).toMatchObject({ form: 'persistedQuery', text: '{ __typename }' });
    expect(documentAsk(get(`documentId=sha256:${hash}`))).toMatchObject({ form: 'documentId', hash });
    expect(documentAsk(get(`query=${encodeURIComponent('{ __typename }')}`))).toEqual({ kind: 'text', text: '{ __typename }' });
    expect(documentAsk(get('extensions={bad'))).toEqual({ kind: 'none' });
    expect(documentAsk(post('not json'))).toEqual({ kind: 'none' });
    expect(documentAsk(post({ variables: {} }))).toEqual({ kind: 'none' });
  });

  it('puts the text in place of the id and keeps variables, the operation name and other extensions', () => {
    const body = { documentId: `sha256:${hash}`, variables: { a: 1 }, operationName: 'Op', extensions: { persistedQuery: { version: 1 }, trace: true } };
    expect(withText(post(body), 'query Op { __typename }').body).toEqual({ query: 'query Op { __typename }', variables: { a: 1 }, operationName: 'Op', extensions: { trace: true } });
    const rewritten = withText(get(`documentId=sha256:${hash}&variables=%7B%7D&extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1 } }))}`), '{ __typename }');
    expect(Object.fromEntries(rewritten.url.searchParams)).toEqual({ query: '{ __typename }', variables: '{}' });
  });
});

describe('manifests', () => {
  it('accept an object of sha256 hex → text and refuse anything else, naming the entry', () => {
    expect([...parseManifest({ [hash]: '{ __typename }' })]).toEqual([[hash, '{ __typename }']]);
    expect(() => parseManifest([])).toThrow(/JSON object/);
    expect(() => parseManifest({})).toThrow(/no documents/);
    expect(() => parseManifest({ [hash.toUpperCase()]: 'x' })).toThrow(/is not a sha256 hex hash/);
    expect(() => parseManifest({ [hash]: 42 })).toThrow(new RegExp(`the document of ${hash}`));
    expect(() => parseManifest({ [`sha1:${hash}`]: 'x' })).toThrow(/is not a sha256 hex hash/);
  });

  it('accept the document ids of @kz/client\'s manifest (sha256:<hex>) as their hashes', () => {
    expect([...parseManifest({ [`sha256:${hash}`]: '{ __typename }' })]).toEqual([[hash, '{ __typename }']]);
    expect(() => parseManifest({ [hash]: '{ __typename }', [`sha256:${hash}`]: '{ __typename }' })).toThrow(/twice/);
    const client = parseManifest(clientManifest);
    expect(client.size).toBe(Object.keys(clientManifest).length);
    for (const [key, text] of Object.entries(clientManifest)) expect(client.get(key.replace(/^sha256:/, ''))).toBe(text);
  });
});

describe('the mode', () => {
  it('enforces by default in production only', () => {
    expect(trustedDocumentsMode({ NODE_ENV: 'production', TRUSTED_DOCUMENTS: undefined })).toBe('enforce');
    expect(trustedDocumentsMode({ NODE_ENV: 'development', TRUSTED_DOCUMENTS: undefined })).toBe('off');
    expect(trustedDocumentsMode({ NODE_ENV: 'production', TRUSTED_DOCUMENTS: 'log' })).toBe('log');
  });
});

describe('client labels', () => {
  it('show registered apps and versions always, others sanitised up to a bound', () => {
    const labels = new ClientLabels({ knowsApp: (app) => app === 'kz-console', knowsVersion: (app, version) => app === 'kz-console' && version.startsWith('1.') });
    expect(labels.of({ name: null, version: '1' })).toEqual({ client_name: '(unknown)', client_version: '(unknown)' });
    expect(labels.of({ name: 'my app/"x"', version: '2.0 beta' })).toEqual({ client_name: 'my_app__x_', client_version: '2.0_beta' });
    for (let i = 0; i < 60; i += 1) labels.of({ name: `probe-${i}`, version: null });
    expect(labels.of({ name: 'late-comer', version: '1' })).toEqual({ client_name: '(other)', client_version: '(unknown)' });
    expect(labels.of({ name: 'kz-console', version: '1.0.0' })).toEqual({ client_name: 'kz-console', client_version: '1.0.0' });
    for (let i = 0; i < 30; i += 1) labels.of({ name: 'kz-console', version: `0.${i}` });
    expect(labels.of({ name: 'kz-console', version: '0.99' }).client_version).toBe('(other)');
    expect(labels.of({ name: 'kz-console', version: '1.9.9' }).client_version).toBe('1.9.9');
  });
});
