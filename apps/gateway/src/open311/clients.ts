import { createHash } from 'node:crypto';
import type { Role } from '@kz/auth';
import type { Config } from '@kz/config';

/** One GeoReport client of `OPEN311_CLIENTS`: who its api_key makes it in the graph. */
export interface Open311Client {
  name: string;
  /** The person id its orders and timeline lines name: the staff account configured, else `open311:<name>`. */
  sub: string;
  role: Role;
  unitCode: string;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * The clients by the SHA-256 of their key. Only hashes are configured; a presented key is hashed and looked up, so
 * how long a lookup takes says nothing about any key (the attacker does not choose the hash's bytes).
 */
export class Open311Clients {
  private readonly byHash = new Map<string, Open311Client>();

  constructor(entries: Config['OPEN311_CLIENTS']) {
    for (const entry of entries) {
      if (this.byHash.has(entry.keySha256)) throw new Error(`OPEN311_CLIENTS: two clients have the key hash of ${entry.name}`);
      this.byHash.set(entry.keySha256, {
        name: entry.name,
        sub: entry.personId ?? `open311:${entry.name}`,
        role: entry.role,
        unitCode: entry.unitCode,
      });
    }
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The client a presented api_key belongs to, or undefined (missing, blank or unknown). */
  byKey(key: string | undefined): Open311Client | undefined {
    if (!key) return undefined;
    return this.byHash.get(sha256Hex(key));
  }
}
