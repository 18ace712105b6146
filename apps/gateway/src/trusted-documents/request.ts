import type { ParsedRequest } from '@kz/http';

/** What a request asks the gateway to run, as far as trusted documents are concerned. */
export type DocumentAsk =
  /** A document by id: GraphQL over HTTP's `documentId` (`sha256:<hex>`), or Apollo's `extensions.persistedQuery`. */
  | { kind: 'id'; form: 'documentId' | 'persistedQuery'; id: string; hash: string | null; text: string | null }
  | { kind: 'text'; text: string }
  /** Nothing to check (no query, not JSON…): Apollo Server answers it. */
  | { kind: 'none' };

const SHA256_ID = /^(?:sha256:)?([0-9a-f]{64})$/;

type Fields = Record<string, unknown>;

/** The operation fields of a POST body, or of a GET query string (where `extensions` is JSON text). */
function fieldsOf(request: ParsedRequest): Fields | null {
  if (request.req.method === 'GET') {
    const params = request.url.searchParams;
    const fields: Fields = {};
    for (const name of ['query', 'documentId']) if (params.has(name)) fields[name] = params.get(name);
    const extensions = params.get('extensions');
    if (extensions) {
      try {
        fields.extensions = JSON.parse(extensions);
      } catch {
        return null; // Apollo refuses the malformed parameter itself
      }
    }
    return fields;
  }
  const body = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Fields) : null;
}

function persistedQueryOf(fields: Fields): Fields | null {
  const extensions = fields.extensions;
  if (typeof extensions !== 'object' || extensions === null) return null;
  const persisted = (extensions as Fields).persistedQuery;
  return typeof persisted === 'object' && persisted !== null ? (persisted as Fields) : null;
}

/** Reads what the request asks for without changing it. */
export function documentAsk(request: ParsedRequest): DocumentAsk {
  const fields = fieldsOf(request);
  if (!fields) return { kind: 'none' };
  const text = typeof fields.query === 'string' && fields.query !== '' ? fields.query : null;
  if (fields.documentId !== undefined) {
    const id = String(fields.documentId);
    return { kind: 'id', form: 'documentId', id, hash: SHA256_ID.exec(id)?.[1] ?? null, text };
  }
  const persisted = persistedQueryOf(fields);
  if (persisted) {
    const id = String(persisted.sha256Hash ?? '');
    return { kind: 'id', form: 'persistedQuery', id, hash: SHA256_ID.exec(id)?.[1] ?? null, text };
  }
  return text === null ? { kind: 'none' } : { kind: 'text', text };
}

/**
 * The same request with the document's text in `query` and the id removed (`documentId`, or the `persistedQuery`
 * extension, which Apollo Server would refuse since automatic persisted queries are off); variables, the operation
 * name and other extensions stay as they were.
 */
export function withText(request: ParsedRequest, text: string): ParsedRequest {
  if (request.req.method === 'GET') {
    const url = new URL(request.url.href);
    url.searchParams.delete('documentId');
    url.searchParams.set('query', text);
    const extensions = url.searchParams.get('extensions');
    if (extensions) {
      const { persistedQuery: _dropped, ...rest } = JSON.parse(extensions) as Fields;
      if (Object.keys(rest).length > 0) url.searchParams.set('extensions', JSON.stringify(rest));
      else url.searchParams.delete('extensions');
    }
    return { ...request, url };
  }
  const { documentId: _id, extensions, ...body } = request.body as Fields;
  const rewritten: Fields = { ...body, query: text };
  if (typeof extensions === 'object' && extensions !== null) {
    const { persistedQuery: _dropped, ...rest } = extensions as Fields;
    if (Object.keys(rest).length > 0) rewritten.extensions = rest;
  }
  return { ...request, body: rewritten };
}

