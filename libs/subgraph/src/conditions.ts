/** A WHERE clause built up with numbered parameters (`$1`, `$2`…), for list queries with optional filters. */
export class Conditions {
  readonly sql: string[] = [];
  readonly params: unknown[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds a condition; `params` are those it numbers from the next free one (as `Visibility.sql` writes them). */
  add(sql: string, params: unknown[] = []): void {
    this.sql.push(sql);
    this.params.push(...params);
  }

  /** `column` is `path` or lies below it. */
  within(column: string, path: string): void {
    const p = this.param(path);
    this.add(`(${column} = ${p} OR ${column} LIKE ${p} || '/%')`);
  }

  get where(): string {
    return this.sql.length ? `WHERE ${this.sql.join(' AND ')}` : '';
  }
}
