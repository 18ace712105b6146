import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '@kz/config';
import {
  createJwtVerifier,
  hashPassword,
  isValidIdNumber,
  maskIdNumber,
  maskMobile,
  maskName,
  PiiVault,
  signToken,
  verifyPassword,
  withCheckDigit,
} from './index';

describe('passwords', () => {
  it('are salted scrypt hashes that verify only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('开州志愿者2026'), hashPassword('开州志愿者2026')]);
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('开州志愿者2026');
    await expect(verifyPassword('开州志愿者2026', a)).resolves.toBe(true);
    await expect(verifyPassword('开州志愿者2027', a)).resolves.toBe(false);
    await expect(verifyPassword('x', 'not-a-hash')).resolves.toBe(false);
  });

  it('hash at the configured cost and verify at the cost stored with the hash', async () => {
    const cheap = await hashPassword('开州志愿者2026', 12);
    expect(cheap).toMatch(/^scrypt\$4096\$8\$3\$/);
    const strong = await hashPassword('开州志愿者2026', 16);
    expect(strong).toMatch(/^scrypt\$65536\$8\$3\$/);
    // A hash made before the cost was changed still verifies, at its own cost.
    await expect(verifyPassword('开州志愿者2026', cheap)).resolves.toBe(true);
    await expect(verifyPassword('开州志愿者2026', strong)).resolves.toBe(true);
    await expect(verifyPassword('开州志愿者2027', strong)).resolves.toBe(false);
  });
});

describe('resident identity numbers', () => {
  const valid = withCheckDigit('50023419900101123');

  it('accept only 18 characters with a real birth date and the right check character', () => {
    expect(isValidIdNumber(valid)).toBe(true);
    expect(isValidIdNumber(valid.toLowerCase())).toBe(true);
    expect(isValidIdNumber('11010519491231002X')).toBe(true); // the standard's own example
    expect(isValidIdNumber(`${valid.slice(0, 17)}${valid[17] === '0' ? '1' : '0'}`)).toBe(false);
    expect(isValidIdNumber(withCheckDigit('50023419900231123'))).toBe(false); // 31 February
    expect(isValidIdNumber('5002341990010112')).toBe(false);
  });

  it('are masked to region and last four; mobiles and names likewise', () => {
    expect(maskIdNumber('500234199001011234')).toBe('500234********1234');
    expect(maskMobile('13812345678')).toBe('138****5678');
    expect(maskName('周先生')).toBe('周**');
  });
});

describe('PiiVault', () => {
  const vault = new PiiVault('ab'.repeat(32));

  it('encrypts with a fresh nonce each time and decrypts back', () => {
    const [a, b] = [vault.encrypt('500234199001011234'), vault.encrypt('500234199001011234')];
    expect(a).not.toBe(b);
    expect(a).not.toContain('500234');
    expect(vault.decrypt(a)).toBe('500234199001011234');
  });

  it('refuses a tampered value and another key', () => {
    const sealed = vault.encrypt('500234199001011234');
    const tampered = `${sealed.slice(0, -3)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-2)}`;
    expect(() => vault.decrypt(tampered)).toThrow();
    expect(() => new PiiVault('cd'.repeat(32)).decrypt(sealed)).toThrow();
  });

  it('gives a stable blind index per key', () => {
    expect(vault.blindIndex('x')).toBe(vault.blindIndex('x'));
    expect(vault.blindIndex('x')).not.toBe(new PiiVault('cd'.repeat(32)).blindIndex('x'));
  });
});

describe('login tokens signed with a private key', () => {
  it('verify with the matching public key only', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const config = loadConfig({
      JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const token = await signToken(config, { sub: '7', roles: ['VOLUNTEER'] });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg).toBe('ES256');
    await expect(createJwtVerifier(config)(token)).resolves.toEqual({ sub: '7', roles: ['VOLUNTEER'] });
  });
});
