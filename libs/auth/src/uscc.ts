/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from the 31-character set below (no I, O, S, V, Z): 登记管理部门码,
 * 机构类别码, six-digit 行政区划码, the nine-character 主体标识码, and a check character. The check character is
 * `31 - (Σ value(cᵢ) × 3ⁱ mod 31) mod 31` over the first 17 characters, written in the same set (31 → 0).
 */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = Array.from({ length: 17 }, (_, index) => Number(3n ** BigInt(index) % 31n));

/** The check character of the first 17 characters of a code, or null when one of them is not in the set. */
export function usccCheckCharacter(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let index = 0; index < 17; index += 1) {
    const value = CHARSET.indexOf(first17[index]!);
    if (value < 0) return null;
    sum += value * WEIGHTS[index]!;
  }
  return CHARSET[(31 - (sum % 31)) % 31]!;
}

/** Whether `code` is a well-formed 统一社会信用代码 with the right check character (upper case, no spaces). */
export function isValidUscc(code: string): boolean {
  return /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code) && usccCheckCharacter(code.slice(0, 17)) === code[17];
}
