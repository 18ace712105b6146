import { maskMobile } from '@kz/auth';

/** `13812345678` → `138****5678`; a landline keeps its first three and last four digits the same way. */
export function maskPhone(phone: string): string {
  if (/^1\d{10}$/.test(phone)) return maskMobile(phone);
  return phone.length <= 7 ? '*'.repeat(phone.length) : `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}
