import { randomBytes } from 'node:crypto';

/** A name no other test run uses: databases and queue prefixes are never shared between runs. */
export function uniqueName(prefix: string): string {
  return `t_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

/** A BullMQ prefix for one test run, hash-tagged like the production one. */
export function uniqueQueuePrefix(): string {
  return `{${uniqueName('q')}}`;
}
