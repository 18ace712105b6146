import { ConfigError, DEVELOPMENT_ORIGINS, loadConfig, originAllowed, OriginPatternError, parseOriginList, parseOriginPattern } from './index';

const allows = (list: string, origin: string) => originAllowed(parseOriginList(list), origin);

describe('CORS_ORIGINS patterns', () => {
  it('reads exact origins, ports and wildcards into their parts, lowercase, default ports left out', () => {
    expect(parseOriginPattern('https://Console.KZ.gov.cn')).toEqual({ text: 'https://console.kz.gov.cn', scheme: 'https', host: 'console.kz.gov.cn', anySubdomain: false, port: null });
    expect(parseOriginPattern('https://console.kz.gov.cn:443').text).toBe('https://console.kz.gov.cn');
    expect(parseOriginPattern('http://localhost:80').port).toBeNull();
    expect(parseOriginPattern('http://localhost:5173')).toMatchObject({ host: 'localhost', port: 5173 });
    expect(parseOriginPattern('http://localhost:*')).toMatchObject({ text: 'http://localhost:*', port: 'any' });
    expect(parseOriginPattern('https://*.kz.gov.cn')).toMatchObject({ text: 'https://*.kz.gov.cn', host: 'kz.gov.cn', anySubdomain: true });
    expect(parseOriginPattern('http://[::1]:*')).toMatchObject({ host: '[::1]', port: 'any' });
    expect(parseOriginPattern(' http://127.0.0.1:8080 ')).toMatchObject({ host: '127.0.0.1', port: 8080 });
  });

  it.each([
    ['*', /every page on the web/],
    ['null', /opaque origin/],
    ['console.kz.gov.cn', /scheme:\/\/host/],
    ['ftp://kz.gov.cn', /http or https/],
    ['https://kz.gov.cn/', /no path/],
    ['https://kz.gov.cn/app', /no path/],
    ['https://user@kz.gov.cn', /no path/],
    ['https://kz.gov.cn?x', /no path/],
    ['https://*', /leftmost label/],
    ['https://*.cn', /at least two labels/],
    ['https://*.*.kz.gov.cn', /at least two labels/],
    ['https://a.*.kz.gov.cn', /leftmost label/],
    ['https://app*.kz.gov.cn', /leftmost label/],
    ['https://*kz.gov.cn', /leftmost label/],
    ['https://*.127.0.0.1', /at least two labels/],
    ['https://kz.gov.cn:*8', /port/],
    ['https://kz.gov.cn:0', /port/],
    ['https://kz.gov.cn:65536', /port/],
    ['https://kz.gov.cn:0443', /port/],
    ['https://kz.gov.cn:', /port/],
    ['https://kz_gov.cn', /not a host name/],
    ['https://-kz.gov.cn', /not a host name/],
    ['https://开州.gov.cn', /punycode/],
    ['https://kz.gov.cn.', /not a host name/],
    ['https://1.2.3', /not a host name/],
    ['https://256.1.1.1', /not a host name/],
    ['http://[::g]', /not an IPv6 address/],
    ['http://[0:0:0:0:0:0:0:1]', /as browsers send it: \[::1\]/],
    ['http://[::1]x', /only :port/],
    ['https://(a|b).kz.gov.cn', /not a host name/],
    ['https://.*', /leftmost label/],
  ])('refuses %s, saying why', (text, why) => {
    expect(() => parseOriginPattern(text)).toThrow(OriginPatternError);
    expect(() => parseOriginPattern(text)).toThrow(why);
  });

  it('reads a comma-separated list, or none', () => {
    expect(parseOriginList('https://a.kz.gov.cn, http://localhost:*').map((pattern) => pattern.text)).toEqual(['https://a.kz.gov.cn', 'http://localhost:*']);
    expect(parseOriginList('none')).toEqual([]);
    expect(() => parseOriginList('https://a.kz.gov.cn,,http://localhost')).toThrow(/empty entry/);
    expect(() => parseOriginList('https://a.kz.gov.cn,')).toThrow(/empty entry/);
  });
});

describe('matching a browser origin', () => {
  it('matches an exact origin only: scheme, host and port', () => {
    const list = 'https://console.kz.gov.cn';
    expect(allows(list, 'https://console.kz.gov.cn')).toBe(true);
    expect(allows(list, 'http://console.kz.gov.cn')).toBe(false);
    expect(allows(list, 'https://console.kz.gov.cn:8443')).toBe(false);
    expect(allows(list, 'https://console.kz.gov.cn.evil.example')).toBe(false);
    expect(allows(list, 'https://evilconsole.kz.gov.cn')).toBe(false);
    expect(allows(list, 'https://app.console.kz.gov.cn')).toBe(false);
    expect(allows('http://localhost:5173', 'http://localhost:5173')).toBe(true);
    expect(allows('http://localhost:5173', 'http://localhost:5174')).toBe(false);
    expect(allows('http://localhost:5173', 'http://localhost')).toBe(false);
  });

  it('takes * as any port, the default included', () => {
    const list = 'http://localhost:*';
    for (const origin of ['http://localhost', 'http://localhost:5173', 'http://localhost:65535']) expect(allows(list, origin)).toBe(true);
    for (const origin of ['https://localhost:5173', 'http://localhost.evil.example:5173', 'http://127.0.0.1:5173', 'http://evil-localhost:5173']) {
      expect(allows(list, origin)).toBe(false);
    }
  });

  it('takes *. as exactly one more label, never the domain itself or two labels', () => {
    const list = 'https://*.kz.gov.cn';
    expect(allows(list, 'https://console.kz.gov.cn')).toBe(true);
    expect(allows(list, 'https://xn--fiq228c.kz.gov.cn')).toBe(true);
    for (const origin of [
      'https://kz.gov.cn',
      'https://a.b.kz.gov.cn',
      'https://evilkz.gov.cn',
      'https://console.kz.gov.cn.evil.example',
      'https://console.kz.gov.cn:8443',
      'http://console.kz.gov.cn',
    ]) {
      expect(allows(list, origin)).toBe(false);
    }
    expect(allows('https://*.kz.gov.cn:*', 'https://console.kz.gov.cn:8443')).toBe(true);
  });

  it('allows nothing that is not an origin as browsers send it', () => {
    const list = 'http://localhost:*,https://*.kz.gov.cn';
    for (const origin of [
      'null',
      '',
      '*',
      'http://LOCALHOST:5173',
      'http://localhost:5173/',
      'http://localhost:05173',
      'https://console.kz.gov.cn:443',
      'http://localhost:80',
      'https://*.kz.gov.cn',
      'http://localhost:*',
      'http://user@localhost:5173',
      'file://',
    ]) {
      expect(allows(list, origin)).toBe(false);
    }
    expect(originAllowed([], 'http://localhost:5173')).toBe(false);
  });

  it('treats characters of regular expressions as text', () => {
    expect(() => parseOriginPattern('https://a.kz.gov.cn|https://.*')).toThrow(OriginPatternError);
    expect(allows('http://127.0.0.1:*', 'http://127a0a0a1:80')).toBe(false);
    expect(allows('http://127.0.0.1:*', 'http://127x0.0.1')).toBe(false);
  });

  it('the development default allows pages on this machine, on any port, and nothing else', () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'https://localhost:3000', 'http://localhost']) {
      expect(allows(DEVELOPMENT_ORIGINS, origin)).toBe(true);
    }
    for (const origin of ['http://192.168.1.5:5173', 'https://console.kz.gov.cn', 'http://localhost.evil.example']) {
      expect(allows(DEVELOPMENT_ORIGINS, origin)).toBe(false);
    }
  });
});

describe('CORS_ORIGINS in the configuration', () => {
  it('is parsed at boot, unset when not given, and a bad entry stops the app naming the variable', () => {
    expect(loadConfig({}).CORS_ORIGINS).toBeUndefined();
    expect(loadConfig({ CORS_ORIGINS: 'none' }).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://*.kz.gov.cn' }).CORS_ORIGINS?.map((pattern) => pattern.text)).toEqual(['https://*.kz.gov.cn']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://kz.gov.cn/' })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://kz.gov.cn,*' })).toThrow(/- CORS_ORIGINS: "\*": `\*` would let every page/);
  });
});
