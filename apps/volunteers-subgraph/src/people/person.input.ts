import { z } from 'zod';
import {
  birthAndSexOf,
  carriesBirthAndSex,
  DOCUMENT_RULE,
  DOCUMENT_TYPE_ZH,
  DOCUMENT_TYPES,
  DocumentType,
  Gender,
  isValidDocumentNumber,
  isValidIdNumber,
  normalizeDocumentNumber,
  normalizeIdNumber,
  STAFF_ROLES,
} from '@kz/auth';
import { BadUserInput } from '@kz/errors';
import { fields } from '@kz/subgraph';

/** A mainland mobile number (11 digits). */
export const mobile = z.string().trim().regex(/^1[3-9]\d{9}$/);
/** An 18-character resident ID number, normalized, with its check character verified. */
export const idNumber = z
  .string()
  .transform(normalizeIdNumber)
  .refine(isValidIdNumber, { params: { key: 'input.invalidFormat' } });
/** The number of an identity document of any type; its format is checked against the type by `resolveIdentity`. */
export const documentNumber = z.string().trim().min(1).max(40);

/** A calendar date `YYYY-MM-DD` from 1900 to today. */
export const birthDate = z.string().refine(
  (value) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!match) return false;
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    return Number(match[1]) >= 1900 && date.toISOString().slice(0, 10) === value && date.getTime() <= Date.now();
  },
  { params: { key: 'input.invalidFormat' } },
);

/** The personal basics of 办法 Art. 5 beside the document number: its type, sex and birth date. */
export const identityFields = {
  documentType: z.enum(DOCUMENT_TYPES).nullish(),
  gender: z.enum(['M', 'F']).nullish(),
  birthDate: birthDate.nullish(),
};

/** A person's identity as stored: the number normalized, with its type, sex and birth date. */
export interface ResolvedIdentity {
  documentType: DocumentType | null;
  idNumber: string | null;
  gender: Gender | null;
  birthDate: string | null;
}

/**
 * Checks a document number against its type (resident ID by default) and settles sex and birth date: read from a
 * GB 11643 number (resident ID, residence permits), where an entered value must agree with it; entered for every
 * other type, where both are required with a number. `field` is where the person lies in the input (`input`,
 * `input.person`). Throws BAD_USER_INPUT naming the field.
 */
export function resolveIdentity(
  input: { idNumber?: string | null; documentType?: DocumentType | null; gender?: Gender | null; birthDate?: string | null },
  field = 'input',
): ResolvedIdentity {
  if (!input.idNumber) {
    if (input.documentType) throw new BadUserInput(`${field}.idNumber`, { key: 'input.required' });
    return { documentType: null, idNumber: null, gender: input.gender ?? null, birthDate: input.birthDate ?? null };
  }
  const documentType = input.documentType ?? 'RESIDENT_ID';
  if (!isValidDocumentNumber(documentType, input.idNumber)) {
    throw new BadUserInput(`${field}.idNumber`, {
      key: 'person.documentNumber',
      documentType,
      documentTypeZh: DOCUMENT_TYPE_ZH[documentType],
      rule: DOCUMENT_RULE[documentType].en,
      ruleZh: DOCUMENT_RULE[documentType].zh,
    });
  }
  const idNumber = normalizeDocumentNumber(documentType, input.idNumber);
  if (carriesBirthAndSex(documentType)) {
    const read = birthAndSexOf(documentType, idNumber)!;
    if (input.gender && input.gender !== read.gender) {
      throw new BadUserInput(`${field}.gender`, { key: 'person.documentMismatch', what: 'sex', whatZh: '性别', fromNumber: read.gender });
    }
    if (input.birthDate && input.birthDate !== read.birthDate) {
      throw new BadUserInput(`${field}.birthDate`, { key: 'person.documentMismatch', what: 'birth date', whatZh: '出生日期', fromNumber: read.birthDate });
    }
    return { documentType, idNumber, ...read };
  }
  if (!input.gender) throw new BadUserInput(`${field}.gender`, { key: 'input.required' });
  if (!input.birthDate) throw new BadUserInput(`${field}.birthDate`, { key: 'input.required' });
  return { documentType, idNumber, gender: input.gender, birthDate: input.birthDate };
}

/** 8–64 characters with letters and digits; the value itself never appears in an error. */
const password = z
  .string()
  .refine((value) => value.length >= 8 && value.length <= 64 && /\p{L}/u.test(value) && /\d/.test(value), {
    params: { key: 'input.weakPassword' },
  });

export const signUpInput = z.object({
  realName: fields.text(50),
  mobile,
  idNumber: documentNumber,
  ...identityFields,
  password,
  homeUnitId: fields.id(),
});

export const loginInput = z.object({ phone: mobile, password: z.string().min(1).max(200) });

export const changePasswordInput = z.object({ currentPassword: z.string().min(1).max(200), newPassword: password });

export const createStaffAccountInput = z.object({
  realName: fields.text(50),
  mobile,
  idNumber: documentNumber.nullish(),
  ...identityFields,
  initialPassword: password,
  role: z.enum([...STAFF_ROLES, 'MERCHANT'] as unknown as [string, ...string[]]),
  unitId: fields.id(),
});
