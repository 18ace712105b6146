import { z } from 'zod';
import { fields } from '@kz/subgraph';
import { isValidUscc } from '@kz/auth';

export const issueCertificateInput = z.object({
  unitId: fields.id(),
  volunteerId: fields.id(),
  recordIds: z.array(fields.id()).min(1).max(500),
  /**
   * The issuing unit's legal name, 统一社会信用代码 and 负责人, all three or none: when omitted, the unit's own as org
   * keeps them (`unit_legal_ref`); see docs/records.md.
   */
  legalName: fields.text(100).nullish(),
  uscc: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isValidUscc, { params: { key: 'certificate.invalidUscc' } })
    .nullish(),
  headName: fields.text(50).nullish(),
  /** A certificate this one replaces: it is revoked in the same transaction. */
  replacesNumber: z.string().trim().min(1).max(64).nullish(),
});
export type IssueCertificateInput = z.output<typeof issueCertificateInput>;

export const revokeCertificateInput = z.object({ number: z.string().trim().min(1).max(64), reason: fields.multiLineText(200) });
