import fc from 'fast-check';
import { z } from 'zod';
import { BadUserInput } from '@kz/errors';
import { fields, multiLine, parseInput } from './index';

const schema = z.object({
  title: fields.text(100),
  reason: fields.multiLineText(500).nullish(),
  items: z.array(z.object({ label: fields.text(20), evidence: fields.multiLineText(500).nullish() })).optional(),
  note: z.string().max(200).optional(),
  answer: z.union([z.object({ text: multiLine(z.string()) }), z.object({ code: z.string() })]).optional(),
  code: z.string().trim().toUpperCase().pipe(z.string().regex(/^[A-Z]+$/)).optional(),
});

function refusal(value: unknown): { field: unknown; character: unknown; key: string; en: string; zh: string } | null {
  try {
    parseInput(schema, value);
    return null;
  } catch (error) {
    if (!(error instanceof BadUserInput)) throw error;
    return {
      field: error.extensions.field,
      character: error.extensions.character,
      key: error.messageKey,
      en: error.localizedMessage('en'),
      zh: error.localizedMessage('zh-CN'),
    };
  }
}

/** Every code point refused in any text: C0 but tab/LF/CR, DEL, C1, bidi embeddings/overrides/isolates and marks. */
const CONTROL_CODE_POINTS = [
  ...range(0x00, 0x08),
  0x0b,
  0x0c,
  ...range(0x0e, 0x1f),
  ...range(0x7f, 0x9f),
  0x061c,
  0x200e,
  0x200f,
  ...range(0x202a, 0x202e),
  ...range(0x2066, 0x2069),
];
const LINE_BREAKS = ['\n', '\r', '\t', '\u2028', '\u2029'];
const INVISIBLE_CODE_POINTS = [0x00ad, 0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180e, 0x200b, ...range(0x2060, 0x2064), 0xfeff, 0x3164, 0xffa0];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

describe('parseInput refuses control and text-direction characters in every text', () => {
  it('refuses each C0 (but tab, LF, CR), DEL, C1 and bidi formatting character in single- and multi-line fields, naming the field', () => {
    expect(CONTROL_CODE_POINTS).toHaveLength(29 + 1 + 32 + 3 + 5 + 4);
    for (const codePoint of CONTROL_CODE_POINTS) {
      const character = String.fromCodePoint(codePoint);
      const name = hex(codePoint);
      expect(refusal({ title: `迎宾${character}社区` })).toMatchObject({ field: 'input.title', character: name, key: 'input.controlCharacter' });
      expect(refusal({ title: 'ok', reason: `第一行\n第二行${character}` })).toMatchObject({ field: 'input.reason', character: name });
      expect(refusal({ title: 'ok', items: [{ label: 'a', evidence: character }] })).toMatchObject({ field: 'input.items.0.evidence', character: name });
    }
  });

  it('refuses terminal escape sequences and the right-to-left override, as the issue found them', () => {
    expect(refusal({ title: 'ok', reason: '\u001b[31m红色\u001b[0m' })).toMatchObject({ field: 'input.reason', character: 'U+001B' });
    expect(refusal({ title: 'invoice\u202Efdp.exe' })).toMatchObject({ field: 'input.title', character: 'U+202E' });
    expect(refusal({ title: 'a\u0001b' })).toMatchObject({ field: 'input.title', character: 'U+0001' });
  });

  it('says why in English and Chinese', () => {
    expect(refusal({ title: 'ok', reason: '\u202E' })).toEqual({
      field: 'input.reason',
      character: 'U+202E',
      key: 'input.controlCharacter',
      en: 'input.reason: holds a control or text-direction character (U+202E) that text may not contain; remove it.',
      zh: 'input.reason：含有不允许的控制字符或文字方向字符（U+202E），请删除。',
    });
    expect(refusal({ title: '第一行\n第二行' })).toEqual({
      field: 'input.title',
      character: 'U+000A',
      key: 'input.lineBreak',
      en: 'input.title: must be a single line, without line breaks or tabs (U+000A).',
      zh: 'input.title：只能填写一行，不能含有换行或制表符（U+000A）。',
    });
  });

  it.each(LINE_BREAKS.map((character) => [hex(character.codePointAt(0)!), character]))(
    'refuses %s in a single-line field and keeps it in a multi-line one',
    (name, character) => {
      expect(refusal({ title: `a${character}b` })).toMatchObject({ field: 'input.title', character: name, key: 'input.lineBreak' });
      expect(refusal({ title: 'ok', items: [{ label: `a${character}b` }] })).toMatchObject({ field: 'input.items.0.label', key: 'input.lineBreak' });
      const text = `第一行${character}第二行`;
      expect(parseInput(schema, { title: 'ok', reason: text, items: [{ label: 'a', evidence: text }] })).toMatchObject({
        reason: text,
        items: [{ evidence: text }],
      });
    },
  );

  it('refuses each invisible character (zero-width space, word joiner, BOM, soft hyphen, fillers…) in every field, in both languages', () => {
    for (const codePoint of INVISIBLE_CODE_POINTS) {
      const character = String.fromCodePoint(codePoint);
      const name = hex(codePoint);
      expect(refusal({ title: `何${character}毅` })).toMatchObject({ field: 'input.title', character: name, key: 'input.invisibleCharacter' });
      expect(refusal({ title: 'ok', reason: `第一行\n${character}第二行` })).toMatchObject({ field: 'input.reason', character: name, key: 'input.invisibleCharacter' });
    }
    expect(refusal({ title: '\uFEFF迎宾社区' })).toEqual({
      field: 'input.title',
      character: 'U+FEFF',
      key: 'input.invisibleCharacter',
      en: 'input.title: holds an invisible character (U+FEFF) with which two texts that look the same would differ; remove it.',
      zh: 'input.title：含有看不见的字符（U+FEFF），会让看起来相同的文字实际不同，请删除。',
    });
  });

  it('treats every string as single-line unless its schema is marked: plain strings, unknown keys, pipes', () => {
    expect(refusal({ title: 'ok', note: 'a\nb' })).toMatchObject({ field: 'input.note', key: 'input.lineBreak' });
    expect(refusal({ title: 'ok', notAField: 'a\nb' })).toMatchObject({ field: 'input.notAField', key: 'input.lineBreak' });
    expect(refusal({ title: 'ok', notAField: { deep: ['x\u0007'] } })).toMatchObject({ field: 'input.notAField.deep.0', key: 'input.controlCharacter' });
    expect(refusal({ title: 'ok', code: 'AB\tC' })).toMatchObject({ field: 'input.code', key: 'input.lineBreak' });
  });

  it('follows unions: a field marked multi-line in the option that has it', () => {
    expect(parseInput(schema, { title: 'ok', answer: { text: 'a\nb' } })).toMatchObject({ answer: { text: 'a\nb' } });
    expect(refusal({ title: 'ok', answer: { code: 'a\nb' } })).toMatchObject({ field: 'input.answer.code', key: 'input.lineBreak' });
  });

  it('keeps ordinary text: Chinese, emoji with joiners, variation selectors, full-width punctuation, Arabic and Hebrew letters', () => {
    const text = '迎宾社区，何毅👨‍👩‍👧（志愿者）❤️ مرحبا שלום';
    expect(parseInput(schema, { title: text, reason: text })).toMatchObject({ title: text, reason: text });
  });

  it('accepts any text without a refused character, and refuses any text with one (property, fixed seed)', () => {
    const refused = new Set([...CONTROL_CODE_POINTS, ...INVISIBLE_CODE_POINTS, ...LINE_BREAKS.map((character) => character.codePointAt(0)!)]);
    const allowed = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((text) => [...text].every((character) => !refused.has(character.codePointAt(0)!)) && text.trim().length > 0);
    fc.assert(
      fc.property(allowed, (text) => {
        expect(refusal({ title: text.slice(0, 100) })).toBeNull();
      }),
      { seed: 20260129, numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.constantFrom(...CONTROL_CODE_POINTS), fc.string({ maxLength: 10 }), (before, codePoint, after) => {
        expect(refusal({ title: 'ok', reason: `${before}${String.fromCodePoint(codePoint)}${after}` })).toMatchObject({ field: 'input.reason', key: 'input.controlCharacter' });
      }),
      { seed: 20260129, numRuns: 300 },
    );
  });

  it('answers the same the second time, and after a schema it walked through is marked multi-line later', () => {
    const inner = z.string();
    const later = z.object({ text: inner.nullish(), list: z.array(z.object({ line: inner })).optional() });
    for (let round = 0; round < 2; round += 1) {
      expect(() => parseInput(later, { text: 'a\nb' })).toThrow(BadUserInput);
      expect(() => parseInput(later, { list: [{ line: 'a\tb' }] })).toThrow(BadUserInput);
    }
    multiLine(inner);
    expect(parseInput(later, { text: 'a\nb', list: [{ line: 'a\tb' }] })).toEqual({ text: 'a\nb', list: [{ line: 'a\tb' }] });
    expect(() => parseInput(later, { text: 'a\u200Bb' })).toThrow(BadUserInput);
  });
});
