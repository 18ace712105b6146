import { BlockList, isIP } from 'node:net';

/** Why a value of `TRUSTED_PROXIES` is not an address or a CIDR range; the message names the entry. */
export class TrustedProxyError extends Error {
  override name = 'TrustedProxyError';
}

/**
 * The proxies (load balancers, ingress controllers) whose `X-Forwarded-For` the gateway believes: single addresses
 * (`10.1.2.3`, `::1`) and CIDR ranges (`10.0.0.0/8`, `fd00::/8`), IPv4 and IPv6. An IPv4 address seen as an
 * IPv4-mapped IPv6 address (`::ffff:10.1.2.3`, as a dual-stack socket reports it) matches its IPv4 entries.
 */
export class TrustedProxies {
  private readonly list = new BlockList();

  /** The entries as written (trimmed), for logs and the start-up line. */
  readonly entries: readonly string[];

  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const entry of entries) {
      const slash = entry.indexOf('/');
      const address = slash < 0 ? entry : entry.slice(0, slash);
      const family = isIP(address);
      if (family === 0) throw new TrustedProxyError(`${JSON.stringify(entry)} is not an IPv4 or IPv6 address or CIDR range`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (slash < 0) {
        this.list.addAddress(address, type);
        continue;
      }
      const prefixText = entry.slice(slash + 1);
      const prefix = Number(prefixText);
      if (!/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) {
        throw new TrustedProxyError(`${JSON.stringify(entry)}: the prefix length must be 0 to ${family === 4 ? 32 : 128}`);
      }
      this.list.addSubnet(address, prefix, type);
    }
  }

  /** Whether `address` (as a socket or `X-Forwarded-For` gives it) is one of the trusted proxies. */
  trusts(address: string): boolean {
    const plain = unmapIPv4(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** `::ffff:10.1.2.3` → `10.1.2.3`; anything else as it is. */
export function unmapIPv4(address: string): string {
  const match = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return match ? match[1]! : address;
}

/** Parses `TRUSTED_PROXIES`: comma-separated addresses and CIDR ranges; `none` or nothing trusts no proxy. */
export function parseTrustedProxies(value: string): TrustedProxies {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return new TrustedProxies([]);
  const entries = trimmed.split(',').map((entry) => entry.trim());
  const empty = entries.findIndex((entry) => entry === '');
  if (empty >= 0) throw new TrustedProxyError(`entry ${empty + 1} is empty (a stray comma?)`);
  return new TrustedProxies(entries);
}
