import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { canonicalJson, CertificateSigner, keyIdOf, Signable, signedDocumentOf } from './certificate-signing';

/** The certificate signature, checked the way an outsider would: node:crypto, the published key, the canonical text. */

const SEED = '1f'.repeat(32);
const certificate: Signable = {
  number: 'ZYFW-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  periodFrom: '2026-03-01',
  periodTo: '2026-03-02',
  issueDate: '2026-04-02',
  volunteerName: '张三丰',
  documentType: 'RESIDENT_ID',
  documentNumberMasked: '500234**********2X',
  nationalVolunteerNumber: null,
  lines: [
    { recordId: '7', date: '2026-03-01', activity: '腾龙广场环境整治', content: '清扫广场垃圾', hours: 1.5 },
    { recordId: '9', date: '2026-03-02', activity: '汉丰湖护湖', content: '清理湖岸垃圾', hours: 0.83 },
  ],
  totalHours: 2.33,
  hoursRule: 'DECIMAL_2',
  unitName: '迎宾社区',
  legalName: '重庆市开州区汉丰街道迎宾社区居民委员会',
  uscc: '91440300708461136T',
  headName: '李主任',
  handlerName: '王站长',
};

describe('certificate signatures (Ed25519 over the SHA-256 of the canonical document)', () => {
  const signer = new CertificateSigner(SEED);
  const [published] = signer.publicKeys();

  it('writes canonical JSON: sorted keys at every level, no whitespace, arrays in order, nulls kept', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: '乙' }, 2.5], 'é': true })).toBe('{"a":[{"c":"乙","d":null},2.5],"b":1,"é":true}');
    // Key order of the input does not matter.
    const shuffled = { ...certificate, lines: certificate.lines.map((line) => ({ hours: line.hours, content: line.content, date: line.date, activity: line.activity, recordId: line.recordId })) };
    expect(signedDocumentOf(shuffled)).toBe(signedDocumentOf(certificate));
    expect(signedDocumentOf(certificate).startsWith('{"format":"kz-service-certificate/1","hoursRule":"DECIMAL_2","issueDate":"2026-04-02","issuer":{"handlerName":"王站长"')).toBe(true);
    expect(() => canonicalJson({ hours: Number.NaN })).toThrow(RangeError);
  });

  it('verifies independently with node:crypto from the published public key and the digest of the canonical text', () => {
    const signature = signer.sign(certificate);
    expect(published).toMatchObject({ keyId: signature.keyId, algorithm: 'Ed25519', current: true });
    expect(signature.keyId).toMatch(/^kz-cert-[0-9a-f]{16}$/);
    // An outsider: only the PEM, the canonical text and the signature.
    const publicKey = createPublicKey(published!.publicKeyPem);
    const digest = createHash('sha256').update(signedDocumentOf(certificate), 'utf8').digest();
    expect(digest.toString('hex')).toBe(signature.digest);
    expect(verify(null, digest, publicKey, Buffer.from(signature.value, 'base64'))).toBe(true);
    // The raw hex key is the same key, and the key id is derived from it.
    expect(createPublicKey(published!.publicKeyPem).export({ format: 'der', type: 'spki' }).subarray(12).toString('hex')).toBe(published!.publicKeyHex);
    expect(keyIdOf(publicKey)).toBe(signature.keyId);
    expect(signer.verify(certificate, signature)).toBe(true);
  });

  it('a tampered certificate fails: another total, a changed line, another number', () => {
    const signature = signer.sign(certificate);
    const publicKey = createPublicKey(published!.publicKeyPem);
    for (const tampered of [
      { ...certificate, totalHours: 23.3 },
      { ...certificate, lines: [{ ...certificate.lines[0]!, hours: 15 }, certificate.lines[1]!] },
      { ...certificate, number: 'ZYFW-ABCDEFGHIJKLMNOPQRSTUVWXYA' },
      { ...certificate, volunteerName: '张三' },
    ]) {
      const digest = createHash('sha256').update(signedDocumentOf(tampered), 'utf8').digest();
      expect(verify(null, digest, publicKey, Buffer.from(signature.value, 'base64'))).toBe(false);
      expect(signer.verify(tampered, signature)).toBe(false);
    }
    // A signature by another key, or one naming an unknown key, is not the platform's.
    const other = new CertificateSigner('2e'.repeat(32)).sign(certificate);
    expect(signer.verify(certificate, { keyId: signature.keyId, value: other.value })).toBe(false);
    expect(signer.verify(certificate, { keyId: other.keyId, value: other.value })).toBe(false);
    expect(signer.verify(certificate, { keyId: signature.keyId, value: 'bm90IGEgc2lnbmF0dXJl' })).toBe(false);
  });

  it('takes a PKCS#8 PEM (line breaks as \\n too), and retired keys still verify', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const fromPem = new CertificateSigner(pem.replace(/\n/g, '\\n'));
    const old = fromPem.sign(certificate);
    const rotated = new CertificateSigner(SEED, [fromPem.publicKeys()[0]!.publicKeyHex]);
    expect(rotated.publicKeys().map((key) => [key.keyId, key.current])).toEqual([
      [signer.keyId, true],
      [fromPem.keyId, false],
    ]);
    expect(rotated.verify(certificate, old)).toBe(true);
    expect(signer.verify(certificate, old)).toBe(false);
  });
});
