import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Personal data at rest: AES-256-GCM with a random nonce per value (`v1.<nonce>.<ciphertext+tag>`), and a keyed
 * HMAC "blind index" for equality lookups and uniqueness without storing the value in clear.
 */
export class PiiVault {
  private readonly encryptionKey: Buffer;
  private readonly indexKey: Buffer;

  constructor(hexKey: string) {
    const master = Buffer.from(hexKey, 'hex');
    if (master.length !== 32) throw new Error('the PII key must be 32 bytes (64 hex characters)');
    // Separate keys for the two uses, derived from one configured secret.
    this.encryptionKey = createHmac('sha256', master).update('kz-pii-encrypt-v1').digest();
    this.indexKey = createHmac('sha256', master).update('kz-pii-index-v1').digest();
  }

  encrypt(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  decrypt(sealed: string): string {
    const [version, nonce, body] = sealed.split('.');
    if (version !== 'v1' || !nonce || !body) throw new Error('unknown PII format');
    const bytes = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
  }

  blindIndex(value: string): string {
    return createHmac('sha256', this.indexKey).update(value).digest('base64url');
  }
}
