import { isValidUscc, usccCheckCharacter } from './uscc';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts published codes and computes their check character', () => {
    for (const code of ['91440300708461136T', '91110000600037341L', '91350100M000100Y43']) {
      expect(isValidUscc(code)).toBe(true);
      expect(usccCheckCharacter(code.slice(0, 17))).toBe(code[17]);
    }
  });

  it('refuses a wrong check character, a letter outside the set, a wrong length and lower case', () => {
    expect(isValidUscc('91440300708461136X')).toBe(false);
    expect(isValidUscc('911100001000013628')).toBe(false);
    expect(isValidUscc('91I40300708461136T')).toBe(false);
    expect(isValidUscc('9144030070846113T')).toBe(false);
    expect(isValidUscc('91350100m000100y43')).toBe(false);
    // Region code must be digits.
    expect(isValidUscc('91A40300708461136T')).toBe(false);
  });
});
