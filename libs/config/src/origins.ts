import { isIPv6 } from 'node:net';

/**
 * One entry of `CORS_ORIGINS`: a browser origin (`scheme://host[:port]`, as the `Origin` header serializes it) in
 * which `*` may stand for the port or for the leftmost label of a domain name, and nowhere else.
 *
 * - `https://console.kz.gov.cn` — exactly that origin (port 443, which browsers leave out).
 * - `http://localhost:5173` — that port only; `http://localhost` is port 80 only.
 * - `http://localhost:*` — any port, the scheme's default included.
 * - `https://*.kz.gov.cn` — one label more than `kz.gov.cn` (`app.kz.gov.cn`), not `kz.gov.cn` itself nor
 *   `a.b.kz.gov.cn`; the name after `*.` needs at least two labels, so `*.cn` is refused.
 *
 * Patterns are parsed, never turned into regular expressions: nothing in a value can widen what it matches.
 */
export interface OriginPattern {
  /** The pattern as it matches: lowercase, default port left out. */
  readonly text: string;
  readonly scheme: 'http' | 'https';
  /** The host, or for `*.` the domain under which one more label is allowed. */
  readonly host: string;
  readonly anySubdomain: boolean;
  /** A port number, `any` (`:*`), or `null`: the scheme's default port, an origin written without one. */
  readonly port: number | 'any' | null;
}

/** Why a value of `CORS_ORIGINS` (or an `Origin` header) is not an origin; the message names the entry. */
export class OriginPatternError extends Error {
  override name = 'OriginPatternError';
}

/** What `CORS_ORIGINS` means when it is unset outside production: pages on this machine, on any port. */
export const DEVELOPMENT_ORIGINS = 'http://localhost:*,http://127.0.0.1:*,https://localhost:*,https://127.0.0.1:*';

const DEFAULT_PORTS = { http: 80, https: 443 } as const;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const PORT = /^[1-9]\d{0,4}$/;

interface Parsed {
  scheme: 'http' | 'https';
  host: string;
  anySubdomain: boolean;
  port: number | 'any' | null;
}

/** A domain name (lowercase LDH labels) whose last label is not all digits (that would be an IPv4 address). */
function isDomainName(host: string): boolean {
  const labels = host.split('.');
  return host.length <= 253 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

function parse(text: string, wildcards: boolean): Parsed {
  function fail(why: string): never {
    throw new OriginPatternError(`${JSON.stringify(text)}: ${why}`);
  }
  if (text === '*') fail('`*` would let every page on the web call the graph; list the origins');
  if (text === 'null') fail('the opaque origin `null` (sandboxed frames, files) cannot be allowed');
  const separator = text.indexOf('://');
  if (separator < 0) fail('write an origin as scheme://host[:port], e.g. https://console.kz.gov.cn');
  const scheme = text.slice(0, separator).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') fail('the scheme must be http or https');
  const rest = text.slice(separator + 3).toLowerCase();
  if (/[/?#@\\\s]/.test(rest)) fail('an origin is only scheme://host[:port]: no path (not even a final /), query, user or spaces');

  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) fail('an IPv6 address ends with ]');
    host = rest.slice(0, close + 1);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) fail('only :port may follow an IPv6 address');
    portText = after === '' ? undefined : after.slice(1);
    const inner = host.slice(1, -1);
    if (!isIPv6(inner)) fail(`${host} is not an IPv6 address`);
    // Browsers send the compressed form; a pattern written otherwise could never match.
    if (new URL(`http://${host}`).hostname !== host) fail(`write the IPv6 address as browsers send it: ${new URL(`http://${host}`).hostname}`);
  } else {
    const colon = rest.lastIndexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? undefined : rest.slice(colon + 1);
  }

  let anySubdomain = false;
  if (host.startsWith('*.')) {
    if (!wildcards) fail('an origin has no *');
    anySubdomain = true;
    host = host.slice(2);
    if (!isDomainName(host) || host.split('.').length < 2) {
      fail('*. must be followed by a domain name of at least two labels (*.kz.gov.cn, not *.cn)');
    }
  }
  if (host.includes('*')) fail('* may only be the leftmost label (*.kz.gov.cn) or the port (:*)');
  if (!host.startsWith('[') && !IPV4.test(host) && !isDomainName(host)) {
    fail(`${JSON.stringify(host)} is not a host name (letters, digits, hyphens, in ASCII: punycode for other scripts) or an IP address`);
  }

  let port: number | 'any' | null = null;
  if (portText !== undefined) {
    if (portText === '*') {
      if (!wildcards) fail('an origin has no *');
      port = 'any';
    } else {
      if (!PORT.test(portText) || Number(portText) > 65535) fail('the port must be 1 to 65535 (no leading zero) or *');
      port = Number(portText) === DEFAULT_PORTS[scheme] ? null : Number(portText);
    }
  }
  return { scheme, host, anySubdomain, port };
}

/** Reads one pattern of `CORS_ORIGINS`; throws an `OriginPatternError` naming it when it is not one. */
export function parseOriginPattern(text: string): OriginPattern {
  const parsed = parse(text.trim(), true);
  const host = parsed.anySubdomain ? `*.${parsed.host}` : parsed.host;
  const port = parsed.port === null ? '' : parsed.port === 'any' ? ':*' : `:${parsed.port}`;
  return { ...parsed, text: `${parsed.scheme}://${host}${port}` };
}

/** `CORS_ORIGINS`: `none`, or patterns separated by commas. */
export function parseOriginList(value: string): OriginPattern[] {
  if (value.trim().toLowerCase() === 'none') return [];
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) throw new OriginPatternError('an empty entry in the list (two commas, or one at an end)');
  return entries.map(parseOriginPattern);
}

/**
 * Whether a browser's `Origin` header is one the patterns allow. The header must be an origin as browsers send it
 * (lowercase, default port left out); anything else, `null` included, is allowed by no pattern.
 */
export function originAllowed(patterns: readonly OriginPattern[], origin: string): boolean {
  if (patterns.length === 0) return false;
  let parsed: Parsed;
  try {
    parsed = parse(origin, false);
  } catch {
    return false;
  }
  // An origin as a browser serializes it, exactly: no upper case, no :80 on http.
  const port = parsed.port === null ? '' : `:${parsed.port}`;
  if (`${parsed.scheme}://${parsed.host}${port}` !== origin) return false;
  return patterns.some((pattern) => {
    if (pattern.scheme !== parsed.scheme) return false;
    if (pattern.port !== 'any' && pattern.port !== parsed.port) return false;
    if (!pattern.anySubdomain) return pattern.host === parsed.host;
    const suffix = `.${pattern.host}`;
    if (!parsed.host.endsWith(suffix)) return false;
    const label = parsed.host.slice(0, -suffix.length);
    return label !== '' && !label.includes('.');
  });
}
