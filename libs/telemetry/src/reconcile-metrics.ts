import { Counter, Registry } from 'prom-client';

/** What the rebuilders of lost Redis state (timer reconcilers, the outbox sweep) did, for `/metrics`. */
export interface ReconcileMetrics {
  /** Reconciliation runs, by what they rebuild (`kind`) and what started them (`trigger`). */
  runs: Counter<'kind' | 'trigger'>;
  /** Jobs found missing and created again, by kind (delayed jobs of timers, jobs of published events). */
  recreated: Counter<'kind'>;
  /** Times this process found that Redis had lost its data (its marker key gone). */
  redisLosses: Counter;
}

export function createReconcileMetrics(registry: Registry): ReconcileMetrics {
  return {
    runs: new Counter({
      name: 'reconciliations_total',
      help: 'runs that re-create jobs Redis lost from Postgres, by kind and trigger (start, interval, reconnect, redis-loss)',
      labelNames: ['kind', 'trigger'] as const,
      registers: [registry],
    }),
    recreated: new Counter({
      name: 'reconciled_jobs_total',
      help: 'jobs found missing in Redis and created again (timers, published events), by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    redisLosses: new Counter({
      name: 'redis_data_loss_detected_total',
      help: 'times Redis was found to have lost its data (marker key gone)',
      registers: [registry],
    }),
  };
}
