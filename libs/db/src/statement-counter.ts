import type { Logger as TypeOrmLogger } from 'typeorm';
import { currentRequestScope, Logger } from '@kz/telemetry';

/**
 * A TypeORM logger that counts every statement sent to Postgres, in total and per request (through the request
 * scope), and logs failed and slow queries without their parameters, which may hold personal data.
 */
export class CountingLogger implements TypeOrmLogger {
  private total = 0;
  private inRequests = 0;

  constructor(private readonly appLog?: Logger) {}

  get statements(): number {
    return this.total;
  }

  /** Statements sent while serving API requests (background work such as the outbox relay excluded). */
  get requestStatements(): number {
    return this.inRequests;
  }

  logQuery(): void {
    this.total += 1;
    const scope = currentRequestScope();
    if (scope) {
      scope.sqlStatements += 1;
      this.inRequests += 1;
    }
  }

  logQueryError(error: string | Error, query: string): void {
    this.appLog?.warn({ err: error instanceof Error ? error.message : error, query }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.appLog?.warn({ ms: time, query }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.appLog?.debug(message);
  }

  logMigration(message: string): void {
    this.appLog?.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.appLog?.warn(String(message));
    else this.appLog?.debug(String(message));
  }
}
