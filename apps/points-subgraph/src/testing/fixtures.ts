import type { DataSource, EntityManager } from 'typeorm';
import { ensurePersonAccount } from '../accounts/account-opening';
import { postTransaction, systemAccountId } from '../ledger/ledger';

/** The part of the district the points specs need: the center, an institute and two of its stations. */
export const CENTER = { id: '1', path: '1' };
export const STATION = { id: '3', path: '1/2/3' };
export const OTHER_STATION = { id: '4', path: '1/2/4' };

/** The units above into the points service's replica of the org tree (`unit_ref`), as the org events would. */
export async function insertUnitRefs(db: DataSource): Promise<void> {
  await db.query(`INSERT INTO unit_ref (id, code, path, level, name, version) VALUES
    (1, 'C', '1', 'CENTER', '开州区新时代文明实践中心', now()), (2, 'I', '1/2', 'INSTITUTE', '汉丰街道新时代文明实践所', now()),
    (3, 'S3', '1/2/3', 'STATION', '迎宾社区新时代文明实践站', now()), (4, 'S4', '1/2/4', 'STATION', '永先社区新时代文明实践站', now())`);
}

/** Opens the person's account if need be and credits it `points` from issuance, balanced, in the caller's transaction. */
export async function creditTestPoints(manager: EntityManager, personId: string, points: number): Promise<void> {
  const account = await ensurePersonAccount(manager, personId);
  if (points === 0) return;
  await postTransaction(manager, {
    kind: 'CREDIT',
    description: 'test credit',
    createdBy: 'test',
    postings: [
      { accountId: await systemAccountId(manager, 'ISSUANCE'), amount: -points },
      { accountId: account.id, amount: points },
    ],
  });
}
