/** A WHERE clause built up with numbered parameters. */
export class Conditions {
  readonly sql: string[] = [];
  readonly params: unknown[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(sql: string): void {
    this.sql.push(sql);
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
