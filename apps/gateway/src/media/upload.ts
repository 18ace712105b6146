import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { PhotoContentType } from '@kz/auth';
import { BadUserInput, DomainError } from '@kz/errors';
import { SNIFF_BYTES, sniffImageType } from './sniff';

/** Room for the multipart envelope (boundaries, part headers, a few small fields) around the file itself. */
const ENVELOPE_BYTES = 64 * 1024;

export type PhotoUpload = { ok: true; contentType: PhotoContentType; data: Buffer } | { ok: false; status: number; error: DomainError };

export function tooLarge(maxBytes: number): PhotoUpload {
  return { ok: false, status: 413, error: new DomainError('PAYLOAD_TOO_LARGE', 'media.tooLarge', { max: maxBytes }) };
}

const unsupported = (): PhotoUpload => ({ ok: false, status: 415, error: new BadUserInput('file', { key: 'media.unsupportedType' }) });
const oneFile = (): PhotoUpload => ({ ok: false, status: 400, error: new BadUserInput('file', { key: 'media.oneFile' }) });

/**
 * Reads the one file of a multipart/form-data request (as `wx.uploadFile` and a browser's FormData send it) with
 * busboy, holding at most `maxBytes` of it. It settles as soon as the answer is known: a declared length over the
 * limit before anything is read, first bytes that are no JPEG, PNG or WebP, the limit crossed while streaming. Then it
 * stops reading; the caller answers and lets the connection close.
 */
export function readPhoto(req: IncomingMessage, maxBytes: number): Promise<PhotoUpload> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return Promise.resolve(oneFile());
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + ENVELOPE_BYTES) return Promise.resolve(tooLarge(maxBytes));

  return new Promise((resolve) => {
    let settled = false;
    let parser: busboy.Busboy;
    const settle = (outcome: PhotoUpload) => {
      if (settled) return;
      settled = true;
      if (!outcome.ok) req.unpipe(parser);
      resolve(outcome);
    };
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 4096, parts: 40 } });
    } catch {
      resolve(oneFile());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let sniffed: PhotoContentType | null = null;
    let seenFile = false;
    parser.on('file', (_name, stream) => {
      if (seenFile) {
        stream.resume();
        return;
      }
      seenFile = true;
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        chunks.push(chunk);
        size += chunk.length;
        if (!sniffed && size >= SNIFF_BYTES) {
          sniffed = sniffImageType(Buffer.concat(chunks).subarray(0, SNIFF_BYTES));
          if (!sniffed) settle(unsupported());
        }
      });
      stream.on('limit', () => settle(tooLarge(maxBytes)));
    });
    parser.on('error', () => settle(oneFile()));
    parser.on('close', () => {
      if (!seenFile || size === 0) return settle(oneFile());
      const type = sniffed ?? sniffImageType(Buffer.concat(chunks));
      settle(type ? { ok: true, contentType: type, data: Buffer.concat(chunks, size) } : unsupported());
    });
    req.on('error', () => settle(oneFile()));
    req.pipe(parser);
  });
}
