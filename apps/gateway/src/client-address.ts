import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { TrustedProxies, unmapIPv4 } from '@kz/config';

const NO_PROXIES = new TrustedProxies([]);

/** One `X-Forwarded-For` hop as an address: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]`, `[::1]:5678`; null if none. */
function hopAddress(hop: string): string | null {
  let text = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  return isIP(text) === 0 ? null : unmapIPv4(text);
}

/**
 * The address of the client a request comes from. The socket's peer is the client unless it is a trusted proxy
 * (`TRUSTED_PROXIES`); then `X-Forwarded-For` is walked from the right (the hop the nearest proxy appended) to the
 * left, past every trusted proxy: the first address that is not one is the client. Anything left of it was written
 * by the client and is never believed. A hop that is not an address ends the walk at the last address known to be
 * true (the proxy that passed it on); when every hop is a trusted proxy, the leftmost is the client.
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies = NO_PROXIES,
): string {
  let client = remoteAddress ? unmapIPv4(remoteAddress) : 'unknown';
  if (!trusted.trusts(client) || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    if (hops[i]!.trim() === '') continue;
    const hop = hopAddress(hops[i]!);
    if (hop === null) return client;
    client = hop;
    if (!trusted.trusts(hop)) return hop;
  }
  return client;
}

/** `clientAddress` of an incoming request. */
export function requestClientAddress(req: IncomingMessage, trusted: TrustedProxies | undefined): string {
  return clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted);
}
