import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/**
 * The platform's signature on a service certificate (docs/records.md, "Signature"): Ed25519 over the SHA-256 digest
 * of the certificate's canonical document. Anyone can check it offline with the public key (`certificateSigningKeys`),
 * the canonical document (`ServiceCertificate.signedDocument`, also attached to the PDF) and any Ed25519 library:
 *
 *   digest    = SHA-256(UTF-8(canonical document))                 (32 bytes; shown as 64 hex characters)
 *   signature = Ed25519-sign(private key, digest)                   (64 bytes; shown in base64)
 *   keyId     = "kz-cert-" + the first 16 hex characters of SHA-256(the raw 32-byte public key)
 */
export const SIGNATURE_ALGORITHM = 'Ed25519';
export const CANONICAL_FORMAT = 'kz-service-certificate/1';

/** What the canonical document says: the certificate's own words, nothing about its status. */
export interface CanonicalCertificate {
  format: typeof CANONICAL_FORMAT;
  number: string;
  periodFrom: string;
  periodTo: string;
  issueDate: string;
  volunteer: { name: string; documentType: string | null; documentNumberMasked: string | null; nationalVolunteerNumber: string | null };
  lines: { recordId: string; date: string; activity: string; content: string; hours: number }[];
  totalHours: number;
  hoursRule: string;
  issuer: { unitName: string; legalName: string; uscc: string; headName: string; handlerName: string };
}

/** The parts of a certificate the canonical document is made of. */
export interface Signable {
  number: string;
  periodFrom: string;
  periodTo: string;
  issueDate: string;
  volunteerName: string;
  documentType: string | null;
  documentNumberMasked: string | null;
  nationalVolunteerNumber: string | null;
  lines: { recordId: string; date: string; activity: string; content: string; hours: number }[];
  totalHours: number;
  hoursRule: string;
  unitName: string;
  legalName: string;
  uscc: string;
  headName: string;
  handlerName: string;
}

export function canonicalCertificate(certificate: Signable): CanonicalCertificate {
  return {
    format: CANONICAL_FORMAT,
    number: certificate.number,
    periodFrom: certificate.periodFrom,
    periodTo: certificate.periodTo,
    issueDate: certificate.issueDate,
    volunteer: {
      name: certificate.volunteerName,
      documentType: certificate.documentType ?? null,
      documentNumberMasked: certificate.documentNumberMasked ?? null,
      nationalVolunteerNumber: certificate.nationalVolunteerNumber ?? null,
    },
    lines: certificate.lines.map((line) => ({ recordId: line.recordId, date: line.date, activity: line.activity, content: line.content, hours: line.hours })),
    totalHours: certificate.totalHours,
    hoursRule: certificate.hoursRule,
    issuer: {
      unitName: certificate.unitName,
      legalName: certificate.legalName,
      uscc: certificate.uscc,
      headName: certificate.headName,
      handlerName: certificate.handlerName,
    },
  };
}

/**
 * Canonical JSON (the RFC 8785 rules for the values a certificate holds): object keys sorted by UTF-16 code units at
 * every level, arrays in their order, no whitespace, strings and numbers as `JSON.stringify` writes them (finite
 * numbers only), `null` kept.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('canonical JSON holds finite numbers only');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}

/** The canonical document of a certificate, as the text that is hashed and signed. */
export function signedDocumentOf(certificate: Signable): string {
  return canonicalJson(canonicalCertificate(certificate));
}

export function digestOf(document: string): Buffer {
  return createHash('sha256').update(document, 'utf8').digest();
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A private key from configuration: a PKCS#8 PEM (`\n` may stand for line breaks) or a 32-byte seed in hex. */
export function ed25519PrivateKey(value: string): KeyObject {
  const key = /^[0-9a-fA-F]{64}$/.test(value)
    ? createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(value, 'hex')]), format: 'der', type: 'pkcs8' })
    : createPrivateKey(value.replace(/\\n/g, '\n'));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the certificate signing key must be an Ed25519 key');
  return key;
}

/** A public key from its raw 32 bytes in hex. */
export function ed25519PublicKey(rawHex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(rawHex, 'hex')]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  return (key.export({ format: 'der', type: 'spki' }) as Buffer).subarray(SPKI_ED25519_PREFIX.length);
}

export function keyIdOf(publicKey: KeyObject): string {
  return `kz-cert-${createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16)}`;
}

/** A public key as `certificateSigningKeys` publishes it. */
export interface SigningKey {
  keyId: string;
  algorithm: typeof SIGNATURE_ALGORITHM;
  /** The raw 32-byte public key in hex. */
  publicKeyHex: string;
  /** The same key as an SPKI PEM (what `openssl` and node:crypto read). */
  publicKeyPem: string;
  /** The key new certificates are signed with; the others are retired and only verify. */
  current: boolean;
}

/** A certificate's stored signature. */
export interface CertificateSignature {
  algorithm: typeof SIGNATURE_ALGORITHM;
  keyId: string;
  /** SHA-256 of the canonical document, 64 hex characters. */
  digest: string;
  /** The Ed25519 signature of the digest's 32 bytes, base64. */
  value: string;
}

/** The platform's certificate signer: the current key signs; it and the retired keys verify. */
export class CertificateSigner {
  private readonly privateKey: KeyObject;
  private readonly keys: Map<string, { key: KeyObject; published: SigningKey }>;
  readonly keyId: string;

  constructor(privateKeyValue: string, retiredPublicKeysHex: string[] = []) {
    this.privateKey = ed25519PrivateKey(privateKeyValue);
    const current = createPublicKey(this.privateKey);
    this.keyId = keyIdOf(current);
    this.keys = new Map();
    for (const [key, isCurrent] of [[current, true] as const, ...retiredPublicKeysHex.map((hex) => [ed25519PublicKey(hex), false] as const)]) {
      const keyId = keyIdOf(key);
      if (this.keys.has(keyId)) continue;
      this.keys.set(keyId, {
        key,
        published: {
          keyId,
          algorithm: SIGNATURE_ALGORITHM,
          publicKeyHex: rawPublicKey(key).toString('hex'),
          publicKeyPem: key.export({ format: 'pem', type: 'spki' }).toString(),
          current: isCurrent,
        },
      });
    }
  }

  /** From configuration (`CERTIFICATE_SIGNING_KEY`, `CERTIFICATE_RETIRED_PUBLIC_KEYS`). */
  static fromConfig(config: { CERTIFICATE_SIGNING_KEY: string; CERTIFICATE_RETIRED_PUBLIC_KEYS: string }): CertificateSigner {
    return new CertificateSigner(config.CERTIFICATE_SIGNING_KEY, config.CERTIFICATE_RETIRED_PUBLIC_KEYS.split(',').filter(Boolean));
  }

  publicKeys(): SigningKey[] {
    return [...this.keys.values()].map((entry) => entry.published);
  }

  sign(certificate: Signable): CertificateSignature {
    const digest = digestOf(signedDocumentOf(certificate));
    return { algorithm: SIGNATURE_ALGORITHM, keyId: this.keyId, digest: digest.toString('hex'), value: sign(null, digest, this.privateKey).toString('base64') };
  }

  /**
   * Whether `signature` is the platform's on what `certificate` says now: the digest is computed again from the
   * contents (a stored digest is never trusted) and checked with the key the signature names. Unknown key: false.
   */
  verify(certificate: Signable, signature: { keyId: string; value: string }): boolean {
    const entry = this.keys.get(signature.keyId);
    if (!entry) return false;
    const digest = digestOf(signedDocumentOf(certificate));
    try {
      return verify(null, digest, entry.key, Buffer.from(signature.value, 'base64'));
    } catch {
      return false;
    }
  }
}
