import type { EntityManager } from 'typeorm';

/** What an activity check-out hands to the service records (the contract between `activities/` and `records/`). */
export interface CheckOutService {
  volunteerId: string;
  activity: {
    id: string;
    title: string;
    category: string;
    organizingUnitId: string;
    organizingUnitPath: string;
    startsAt: Date;
    endsAt: Date;
  };
  checkedInAt: Date;
  checkedOutAt: Date;
  /** Person id of whoever checked out (the volunteer). */
  by: string;
}

/**
 * Makes the PENDING service record of a check-out, in the caller's transaction: minutes from check-in to check-out,
 * capped by the activity's window, with a CREATED history line. Returns the record id.
 */
export async function recordCheckOut(manager: EntityManager, service: CheckOutService): Promise<string> {
  void manager;
  void service;
  throw new Error('recordCheckOut is not implemented yet');
}
