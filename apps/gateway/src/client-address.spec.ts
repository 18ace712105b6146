import { Writable } from 'node:stream';
import IORedis from 'ioredis';
import { Config, loadConfig, parseTrustedProxies } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { createLogger } from '@kz/telemetry';
import { deleteKeysWithPrefix, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { RunningGateway, startGateway } from './app';
import { clientAddress } from './client-address';

describe('TRUSTED_PROXIES', () => {
  it('takes addresses and CIDR ranges, IPv4 and IPv6, and matches them (IPv4-mapped addresses included)', () => {
    const trusted = loadConfig({ TRUSTED_PROXIES: ' 10.0.0.0/8, ::1 ,192.168.1.7,fd00::/8' }).TRUSTED_PROXIES!;
    expect(trusted.entries).toEqual(['10.0.0.0/8', '::1', '192.168.1.7', 'fd00::/8']);
    for (const address of ['10.0.0.1', '10.255.255.255', '::ffff:10.1.2.3', '::1', '192.168.1.7', 'fd12:3456::1']) expect([address, trusted.trusts(address)]).toEqual([address, true]);
    for (const address of ['11.0.0.1', '192.168.1.8', '::2', 'fe80::1', '127.0.0.1', 'not-an-ip', '']) expect([address, trusted.trusts(address)]).toEqual([address, false]);
  });

  it('trusts nothing when unset or `none`', () => {
    expect(loadConfig({}).TRUSTED_PROXIES).toBeUndefined();
    expect(parseTrustedProxies('none').entries).toEqual([]);
    expect(clientAddress('10.0.0.1', '1.2.3.4')).toBe('10.0.0.1');
  });

  it('refuses a malformed value at start, naming the entry', () => {
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8,lb.internal' })).toThrow(/TRUSTED_PROXIES: "lb\.internal" is not an IPv4 or IPv6 address or CIDR range/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/TRUSTED_PROXIES: "10\.0\.0\.0\/33": the prefix length must be 0 to 32/);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'fd00::/129' })).toThrow(/the prefix length must be 0 to 128/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.1,,10.0.0.2' })).toThrow(/TRUSTED_PROXIES: entry 2 is empty/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.1/x' })).toThrow(/prefix length/);
  });
});

describe('the client address', () => {
  const trusted = parseTrustedProxies('10.0.0.0/8,::1');

  it('is the socket peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.9', '1.1.1.1', trusted)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', '1.1.1.1', trusted)).toBe('203.0.113.9');
    expect(clientAddress(undefined, '1.1.1.1', trusted)).toBe('unknown');
  });

  it('is the hop a trusted proxy appended, not what the client wrote left of it', () => {
    expect(clientAddress('10.0.0.5', '203.0.113.9', trusted)).toBe('203.0.113.9');
    // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the address it saw.
    expect(clientAddress('10.0.0.5', '6.6.6.6, 203.0.113.9', trusted)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.5', ['6.6.6.6', '203.0.113.9'], trusted)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.5', undefined, trusted)).toBe('10.0.0.5');
  });

  it('walks a chain of several trusted proxies from the right', () => {
    // client → ingress (10.1.1.1) → load balancer (10.0.0.5) → gateway
    expect(clientAddress('10.0.0.5', '198.51.100.7, 10.1.1.1', trusted)).toBe('198.51.100.7');
    expect(clientAddress('::1', '6.6.6.6, 198.51.100.7, 10.2.2.2, 10.1.1.1', trusted)).toBe('198.51.100.7');
    expect(clientAddress('10.0.0.5', '2001:db8::7, 10.1.1.1', trusted)).toBe('2001:db8::7');
    // Every hop trusted: the leftmost is the client (a call from inside the cluster through its proxies).
    expect(clientAddress('10.0.0.5', '10.9.9.9, 10.1.1.1', trusted)).toBe('10.9.9.9');
  });

  it('reads ports and brackets, and stops at a hop that is not an address', () => {
    expect(clientAddress('10.0.0.5', '203.0.113.9:51234', trusted)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.5', '[2001:db8::7]:443', trusted)).toBe('2001:db8::7');
    expect(clientAddress('10.0.0.5', 'unknown, 10.1.1.1', trusted)).toBe('10.1.1.1');
    expect(clientAddress('10.0.0.5', 'garbage', trusted)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', '203.0.113.9, ', trusted)).toBe('203.0.113.9');
  });
});

/**
 * At real gateways with a rate limit of 2 a minute for anonymous callers (by address): the test's requests come from
 * 127.0.0.1, a trusted proxy of one gateway and not of the other.
 */
describe('the rate-limit bucket and the logs behind proxies', () => {
  const started: { gateway: RunningGateway; config: Config }[] = [];
  const lines: string[] = [];

  async function gatewayWith(trustedProxies: string | undefined): Promise<RunningGateway> {
    const config = testConfig({
      HOST: '127.0.0.1',
      QUEUE_PREFIX: uniqueQueuePrefix(),
      GATEWAY_DATABASE: uniqueName('gateway'),
      MEDIA_DATABASE: uniqueName('media'),
      GATEWAY_RATE_LIMIT_PER_MINUTE: '2',
      ...(trustedProxies ? { TRUSTED_PROXIES: trustedProxies } : {}),
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const gateway = await startGateway(config, { port: 0, log: createLogger('gateway', 'debug', sink) });
    started.push({ gateway, config });
    return gateway;
  }

  afterAll(async () => {
    for (const { gateway, config } of started) {
      await gateway.stop();
      await dropDatabase(config, config.GATEWAY_DATABASE);
      await dropDatabase(config, config.MEDIA_DATABASE);
      const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
      await deleteKeysWithPrefix(redis, config.QUEUE_PREFIX);
      redis.disconnect();
    }
  });

  const post = (gateway: RunningGateway, forwardedFor?: string, query = '{ __typename }') =>
    fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      body: JSON.stringify({ query }),
    }).then((response) => response.status);

  it('from an untrusted peer, a spoofed X-Forwarded-For does not change the bucket', async () => {
    const gateway = await gatewayWith('10.0.0.0/8');
    expect([await post(gateway, '1.1.1.1'), await post(gateway, '2.2.2.2'), await post(gateway, '3.3.3.3'), await post(gateway)]).toEqual([200, 200, 429, 429]);
    lines.length = 0; // the next gateway's lines only
  });

  it('from a trusted proxy, each forwarded client has a bucket of its own, chains included; logs name the client', async () => {
    const gateway = await gatewayWith('127.0.0.1,10.0.0.0/8');
    expect([await post(gateway, '198.51.100.1'), await post(gateway, '198.51.100.1'), await post(gateway, '198.51.100.1')]).toEqual([200, 200, 429]);
    expect(await post(gateway, '198.51.100.2')).toBe(200);
    // Through two of our proxies: the client wrote 198.51.100.1 (spoofed) left of its real address.
    expect(await post(gateway, '198.51.100.1, 198.51.100.3, 10.1.1.1')).toBe(200);
    expect(await post(gateway, '198.51.100.9, 198.51.100.3, 10.1.1.1')).toBe(200);
    expect(await post(gateway, '198.51.100.3')).toBe(429);
    // The proxy itself, without a header, is a caller of its own.
    expect(await post(gateway)).toBe(200);
    // Lines logged while a request is served carry the client's address (`client`), e.g. the refusal's.
    const refused = lines.map((line) => JSON.parse(line) as { msg?: string; client?: string }).filter((line) => line.msg === 'rate limited');
    expect(refused.map((line) => line.client)).toEqual(['198.51.100.1', '198.51.100.3']);
  });
});
