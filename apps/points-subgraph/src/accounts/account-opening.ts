import type { EntityManager } from 'typeorm';
import { cardNumberFor } from './card-number';

export interface OpenedAccount {
  id: string;
  cardNumber: string;
}

/** Where a holder's account belongs, when known: the home station, so staff of that subtree can see it. */
export interface HomeUnit {
  id: string;
  path: string;
}

/**
 * Opens a person's love bank account on first need and returns it; afterwards returns the same account. Safe to
 * call from concurrent transactions: the INSERT of the loser does nothing (the unique person_id decides), and the
 * SELECT then sees the winner's row once it has committed.
 *
 * The card number is derived from the account id, so the id is drawn from the sequence first. A lost race wastes
 * one sequence value, never a card number.
 */
export async function ensurePersonAccount(manager: EntityManager, personId: string, homeUnit?: HomeUnit): Promise<OpenedAccount> {
  const existing = await findPersonAccount(manager, personId, homeUnit);
  if (existing) return existing;
  const [{ id }] = await manager.query(`SELECT nextval(pg_get_serial_sequence('points_account', 'id'))::text AS id`);
  await manager.query(
    `INSERT INTO points_account (id, kind, person_id, card_number, unit_id, unit_path) VALUES ($1, 'PERSON', $2, $3, $4, $5)
     ON CONFLICT (person_id) DO NOTHING`,
    [id, personId, cardNumberFor(id), homeUnit?.id ?? null, homeUnit?.path ?? null],
  );
  const opened = await findPersonAccount(manager, personId, homeUnit);
  if (!opened) throw new Error(`points account of person ${personId} could not be opened`);
  return opened;
}

async function findPersonAccount(manager: EntityManager, personId: string, homeUnit?: HomeUnit): Promise<OpenedAccount | null> {
  const [row] = await manager.query(
    `SELECT id::text, card_number AS "cardNumber", unit_path AS "unitPath" FROM points_account WHERE person_id = $1`,
    [personId],
  );
  if (!row) return null;
  // An account opened before its holder's home station was known learns it the first time it is given.
  if (homeUnit && row.unitPath === null) {
    await manager.query('UPDATE points_account SET unit_id = $2, unit_path = $3, updated_at = now() WHERE id = $1 AND unit_path IS NULL', [
      row.id,
      homeUnit.id,
      homeUnit.path,
    ]);
  }
  return { id: row.id, cardNumber: row.cardNumber };
}

/**
 * Opens a station's donation pool (爱心池) on the first donation and returns it; afterwards the same pool. Race-safe
 * like `ensurePersonAccount`: the partial unique index on pools' unit_id decides.
 */
export async function ensureStationPool(manager: EntityManager, station: HomeUnit): Promise<OpenedAccount> {
  const find = async (): Promise<OpenedAccount | null> => {
    const [row] = await manager.query(`SELECT id::text, card_number AS "cardNumber" FROM points_account WHERE kind = 'POOL' AND unit_id = $1`, [
      station.id,
    ]);
    return row ?? null;
  };
  const existing = await find();
  if (existing) return existing;
  const [{ id }] = await manager.query(`SELECT nextval(pg_get_serial_sequence('points_account', 'id'))::text AS id`);
  await manager.query(
    `INSERT INTO points_account (id, kind, card_number, unit_id, unit_path) VALUES ($1, 'POOL', $2, $3, $4)
     ON CONFLICT (unit_id) WHERE kind = 'POOL' DO NOTHING`,
    [id, cardNumberFor(id), station.id, station.path],
  );
  const opened = await find();
  if (!opened) throw new Error(`the pool of station ${station.id} could not be opened`);
  return opened;
}
