import { z } from 'zod';
import { isValidIdNumber, normalizeIdNumber, STAFF_ROLES } from '@kz/auth';
import { fields } from '@kz/subgraph';

/** A mainland mobile number (11 digits). */
export const mobile = z.string().trim().regex(/^1[3-9]\d{9}$/);
/** An 18-character resident ID number, normalized, with its check character verified. */
export const idNumber = z
  .string()
  .transform(normalizeIdNumber)
  .refine(isValidIdNumber, { params: { key: 'input.invalidFormat' } });
/** 8–64 characters with letters and digits; the value itself never appears in an error. */
const password = z
  .string()
  .refine((value) => value.length >= 8 && value.length <= 64 && /\p{L}/u.test(value) && /\d/.test(value), {
    params: { key: 'input.weakPassword' },
  });

export const signUpInput = z.object({
  realName: fields.text(50),
  mobile,
  idNumber,
  password,
  homeUnitId: fields.id(),
});

export const loginInput = z.object({ phone: mobile, password: z.string().min(1).max(200) });

export const changePasswordInput = z.object({ currentPassword: z.string().min(1).max(200), newPassword: password });

export const createStaffAccountInput = z.object({
  realName: fields.text(50),
  mobile,
  idNumber: idNumber.nullish(),
  initialPassword: password,
  role: z.enum(STAFF_ROLES as unknown as [string, ...string[]]),
  unitId: fields.id(),
});
