import { isValidIdNumber, normalizeIdNumber } from './identity-number';

/**
 * The identity documents a volunteer may register with (《志愿服务记录与证明出具办法（试行）》 Art. 5: the
 * registration records the document type and number). Each type has its own format check; the sources of each
 * format are in docs/records.md ("Document types and their format checks").
 */
export const DOCUMENT_TYPES = [
  'RESIDENT_ID',
  'HK_MACAO_RESIDENCE_PERMIT',
  'TAIWAN_RESIDENCE_PERMIT',
  'HK_MACAO_TRAVEL_PERMIT',
  'TAIWAN_TRAVEL_PERMIT',
  'PASSPORT',
  'FOREIGN_PERMANENT_RESIDENT_ID',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const DOCUMENT_TYPE_ZH: Record<DocumentType, string> = {
  RESIDENT_ID: '居民身份证',
  HK_MACAO_RESIDENCE_PERMIT: '港澳居民居住证',
  TAIWAN_RESIDENCE_PERMIT: '台湾居民居住证',
  HK_MACAO_TRAVEL_PERMIT: '港澳居民来往内地通行证',
  TAIWAN_TRAVEL_PERMIT: '台湾居民来往大陆通行证',
  PASSPORT: '护照',
  FOREIGN_PERMANENT_RESIDENT_ID: '外国人永久居留身份证',
};

/** What the format of each type is, in words, for the error message (en, zh-CN). */
export const DOCUMENT_RULE: Record<DocumentType, { en: string; zh: string }> = {
  RESIDENT_ID: { en: '18 characters with a valid birth date and check character', zh: '18位，出生日期和校验码须正确' },
  HK_MACAO_RESIDENCE_PERMIT: {
    en: '18 characters starting 810000 (Hong Kong) or 820000 (Macao), with a valid birth date and check character',
    zh: '18位，以810000（香港）或820000（澳门）开头，出生日期和校验码须正确',
  },
  TAIWAN_RESIDENCE_PERMIT: {
    en: '18 characters starting 830000, with a valid birth date and check character',
    zh: '18位，以830000开头，出生日期和校验码须正确',
  },
  HK_MACAO_TRAVEL_PERMIT: {
    en: 'H (Hong Kong) or M (Macao) followed by 8 digits, or by 10 digits (8-digit lifetime number and 2-digit issue count)',
    zh: 'H（香港）或M（澳门）加8位数字，或加10位数字（8位终身号和2位换证次数）',
  },
  TAIWAN_TRAVEL_PERMIT: {
    en: 'the 8-digit lifetime number, or an older 10-digit number (lifetime number and issue count)',
    zh: '8位终身号，或旧版10位号码（终身号和签发次数）',
  },
  PASSPORT: { en: '5 to 20 Latin letters and digits', zh: '5至20位拉丁字母和数字' },
  FOREIGN_PERMANENT_RESIDENT_ID: {
    en: '18 characters starting 9 with a valid check character (2023 card), or 3 Latin letters and 12 digits (2017 card)',
    zh: '以9开头的18位号码且校验码正确（2023版），或3位拉丁字母加12位数字（2017版）',
  },
};

/** Upper case, without surrounding spaces; inner spaces and hyphens people type in passport numbers go too. */
export function normalizeDocumentNumber(type: DocumentType, value: string): string {
  const trimmed = normalizeIdNumber(value);
  return type === 'PASSPORT' ? trimmed.replace(/[\s-]/g, '') : trimmed;
}

/** The ISO 7064 MOD 11-2 check of GB 11643 over 18 characters, without the resident ID's birth-date rule. */
function mod112(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((total, weight, index) => total + weight * Number(id[index]), 0);
  return '10X98765432'[sum % 11] === id[17];
}

/** Whether `value` (normalized first) is a well-formed number of a document of `type`. */
export function isValidDocumentNumber(type: DocumentType, value: string): boolean {
  const id = normalizeDocumentNumber(type, value);
  switch (type) {
    case 'RESIDENT_ID':
      return isValidIdNumber(id);
    case 'HK_MACAO_RESIDENCE_PERMIT':
      return /^8[12]0000/.test(id) && isValidIdNumber(id);
    case 'TAIWAN_RESIDENCE_PERMIT':
      return id.startsWith('830000') && isValidIdNumber(id);
    case 'HK_MACAO_TRAVEL_PERMIT':
      return /^[HM](\d{8}|\d{10})$/.test(id);
    case 'TAIWAN_TRAVEL_PERMIT':
      return /^(\d{8}|\d{10})$/.test(id);
    case 'PASSPORT':
      return /^[A-Z0-9]{5,20}$/.test(id);
    case 'FOREIGN_PERMANENT_RESIDENT_ID':
      return (id.startsWith('9') && mod112(id)) || /^[A-Z]{3}\d{12}$/.test(id);
  }
}

/**
 * The types whose number carries the holder's birth date (positions 7–14) and sex (position 17: odd male, even
 * female) by GB 11643: the resident ID and the residence permits of Hong Kong, Macao and Taiwan residents, which are
 * numbered under the same standard. For every other type both are entered.
 */
export function carriesBirthAndSex(type: DocumentType): boolean {
  return type === 'RESIDENT_ID' || type === 'HK_MACAO_RESIDENCE_PERMIT' || type === 'TAIWAN_RESIDENCE_PERMIT';
}

export type Gender = 'M' | 'F';

/** Birth date (`YYYY-MM-DD`) and sex read from a valid number of a type that carries them; null for other types. */
export function birthAndSexOf(type: DocumentType, value: string): { birthDate: string; gender: Gender } | null {
  if (!carriesBirthAndSex(type) || !isValidDocumentNumber(type, value)) return null;
  const id = normalizeDocumentNumber(type, value);
  return {
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    gender: Number(id[16]) % 2 === 1 ? 'M' : 'F',
  };
}

/** The masked form shown to those not entitled to the number: the first and last few characters. */
export function maskDocumentNumber(type: DocumentType, value: string): string {
  const id = normalizeDocumentNumber(type, value);
  if (id.length === 18) return `${id.slice(0, 6)}${'*'.repeat(8)}${id.slice(14)}`;
  const keep = id.length > 8 ? 2 : 1;
  return `${id.slice(0, keep)}${'*'.repeat(Math.max(1, id.length - keep * 2))}${id.slice(id.length - keep)}`;
}

/** Whole years of age on the Beijing-time calendar day of `at`, for a `YYYY-MM-DD` birth date. */
export function ageOn(birthDate: string, at: Date): number {
  const [year, month, day] = birthDate.split('-').map(Number) as [number, number, number];
  const local = new Date(at.getTime() + 8 * 3_600_000); // Asia/Shanghai has no daylight saving time
  const today = { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
  const hadBirthday = today.month > month || (today.month === month && today.day >= day);
  return today.year - year - (hadBirthday ? 0 : 1);
}
