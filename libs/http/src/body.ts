import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {}
export class MalformedBody extends Error {}

/** Reads the request body up to `maxBytes`; stops reading (and says so) as soon as the limit is passed. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (!contentType?.toLowerCase().includes('application/json')) return raw;
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new MalformedBody((error as Error).message);
  }
}
