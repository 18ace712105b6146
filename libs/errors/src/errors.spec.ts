import { BadUserInput, Forbidden, messages, pickLocale, QueryTooComplex } from './index';

describe('pickLocale', () => {
  it.each([
    [undefined, 'en'],
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['fr-FR,zh-CN;q=0.8,en;q=0.5', 'zh-CN'],
    ['en;q=0.3,zh-TW;q=0.9', 'zh-CN'],
    ['de', 'en'],
  ])('%s → %s', (header, locale) => {
    expect(pickLocale(header)).toBe(locale);
  });
});

describe('domain errors', () => {
  it('name the field and carry their params as extensions, without the Chinese helper params', () => {
    const error = new BadUserInput('input.location.lat', { key: 'input.outOfRange', min: -90, max: 90 });
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe('input.location.lat: must be between -90 and 90.');
    expect(error.localizedMessage('zh-CN')).toBe('input.location.lat：必须在 -90 到 90 之间。');
    expect(error.extensions).toEqual({ field: 'input.location.lat', min: -90, max: 90 });
  });

  it('say nothing about the record behind a denial', () => {
    expect(new Forbidden().extensions).toEqual({});
  });

  it('explain a limit in both languages', () => {
    const error = new QueryTooComplex('depth', 15, 12);
    expect(error.message).toContain('15 levels deep; the limit is 12');
    expect(error.localizedMessage('zh-CN')).toContain('超过上限 12 层');
  });

  it('have every message in both languages', () => {
    for (const [key, message] of Object.entries(messages)) {
      const params = { field: 'f', entity: 'e', id: '1', max: 1, min: 0, actual: 2, detail: 'd', value: 'v' };
      expect([key, message.en(params).length > 0]).toEqual([key, true]);
      expect([key, /[\u4e00-\u9fff]/.test(message['zh-CN'](params))]).toEqual([key, true]);
    }
  });
});
