import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { hydrate } from '@kz/db';
import { byIdLoader } from '@kz/subgraph';
import { CorrectionRequest } from './correction-request.entity';
import { ServiceRecordChange } from './record-change.entity';
import { ServiceRecord } from './record.entity';

/** The batched lookups of service records, created fresh for each request with the other loaders. */
export function createRecordLoaders(manager: EntityManager) {
  return {
    serviceRecordById: byIdLoader(manager, ServiceRecord),
    /** Each record's history, oldest first: one statement for any number of records. */
    serviceRecordHistory: new DataLoader<string, ServiceRecordChange[]>(async (recordIds) => {
      const rows = await manager.query(
        'SELECT * FROM service_record_change WHERE record_id = ANY($1::bigint[]) ORDER BY record_id, id',
        [recordIds],
      );
      const byRecord = new Map<string, ServiceRecordChange[]>();
      for (const change of hydrate(manager, ServiceRecordChange, rows)) {
        const recordId = String(change.recordId);
        byRecord.set(recordId, [...(byRecord.get(recordId) ?? []), change]);
      }
      return recordIds.map((id) => byRecord.get(id) ?? []);
    }),
    /** Each record's correction requests (办法 Art. 13), oldest first: one statement for any number of records. */
    correctionRequestsByRecord: new DataLoader<string, CorrectionRequest[]>(async (recordIds) => {
      const rows = await manager.query(
        'SELECT * FROM service_record_correction_request WHERE record_id = ANY($1::bigint[]) ORDER BY record_id, id',
        [recordIds],
      );
      const byRecord = new Map<string, CorrectionRequest[]>();
      for (const request of hydrate(manager, CorrectionRequest, rows)) {
        const recordId = String(request.recordId);
        byRecord.set(recordId, [...(byRecord.get(recordId) ?? []), request]);
      }
      return recordIds.map((id) => byRecord.get(id) ?? []);
    }),
  };
}

export type RecordLoaders = ReturnType<typeof createRecordLoaders>;
