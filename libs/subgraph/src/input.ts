import { z } from 'zod';
import { BadUserInput, InputProblem } from '@kz/errors';

/**
 * Input validation with zod, turned into BAD_USER_INPUT errors that name the field. The helpers attach the
 * message key and its params to range checks, so the error can say "between -90 and 90" in both languages.
 */
export const fields = {
  /** Trimmed text on one line; empty counts as missing. */
  text: (max: number) => z.string().trim().min(1).max(max),
  /** Trimmed text that may hold line breaks and tabs (what people type in a text area); empty counts as missing. */
  multiLineText: (max: number) => multiLine(z.string().trim().min(1).max(max)),
  range: (min: number, max: number) =>
    z
      .number()
      .refine((value) => Number.isFinite(value) && value >= min && value <= max, {
        params: { key: 'input.outOfRange', min, max },
      }),
  id: () => z.string().regex(/^[1-9]\d{0,17}$/),
  mobile: () => z.string().regex(/^1[3-9]\d{9}$/),
};

function problemOf(issue: z.core.$ZodIssue): InputProblem {
  const params = (issue as { params?: Record<string, unknown> }).params;
  if (params && typeof params.key === 'string') return params as unknown as InputProblem;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? { key: 'input.required' } : { key: 'input.invalid' };
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) <= 1 ? { key: 'input.required' } : { key: 'input.invalid', detail: issue.message };
    case 'too_big':
      return issue.origin === 'string' ? { key: 'input.tooLong', max: Number(issue.maximum) } : { key: 'input.invalid', detail: issue.message };
    case 'invalid_format':
      return { key: 'input.invalidFormat' };
    default:
      return { key: 'input.invalid' };
  }
}

/** Parses `value` or throws BAD_USER_INPUT naming the first bad field, as a path from `root` (e.g. `input.name`). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, root = 'input'): z.output<S> {
  const bad = firstBadCharacter([schema], value, []);
  if (bad) throw new BadUserInput([root, ...bad.path].join('.'), { key: bad.key, character: bad.character });
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [root, ...issue.path.map(String)].join('.');
  throw new BadUserInput(field, problemOf(issue));
}

// ── characters no text input may hold ──────────────────────────────────────────────────────────────────────

/**
 * Refused in every string of every input: the C0 controls but tab, line feed and carriage return (among them NUL,
 * which Postgres cannot store in text, and ESC, which starts terminal escape sequences such as `ESC[31m`), DEL and the
 * C1 controls, and the bidirectional formatting characters: embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069, the
 * "Trojan Source" characters that make text display in another order than it is stored) and the invisible direction
 * marks (U+200E, U+200F, U+061C), which no text of this service needs and which let two equal-looking names differ.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/**
 * Refused in every string too: characters that show nothing at all — zero-width space (U+200B), word joiner and the
 * invisible operators (U+2060–U+2064), the byte-order mark (U+FEFF), soft hyphen (U+00AD), combining grapheme joiner
 * (U+034F), the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), the Khmer inherent vowels (U+17B4, U+17B5) and the
 * Mongolian vowel separator (U+180E) — with which `何毅` and `何\u200B毅` are two names that look the same. The zero-width
 * joiner and non-joiner (U+200C, U+200D) stay: emoji sequences and some scripts need them.
 */
const INVISIBLE = /[\u00AD\u034F\u115F\u1160\u17B4\u17B5\u180E\u200B\u2060-\u2064\uFEFF\u3164\uFFA0]/;
/** Line breaks and tabs (U+2028 and U+2029 are line and paragraph separators): only in fields marked multi-line. */
const LINE_BREAK = /[\t\n\r\u2028\u2029]/;

const multiLineSchemas = new WeakSet<z.core.$ZodType>();
/** Whether a schema is multi-line, once per schema (forgotten whenever `multiLine` marks another). */
let multiLineOf = new WeakMap<z.core.$ZodType, boolean>();

/**
 * Marks a string schema as multi-line: its value may hold line breaks and tabs. Every other string is single-line,
 * so a new field is refused line breaks until someone decides otherwise. Mark the finished string schema (wrappers
 * such as `.nullish()` may follow; a check chained after the mark makes a new, unmarked schema).
 */
export function multiLine<S extends z.core.$ZodType>(schema: S): S {
  multiLineSchemas.add(schema);
  multiLineOf = new WeakMap(); // a schema wrapping this one may have been asked already
  return schema;
}

interface BadCharacter {
  path: string[];
  key: 'input.controlCharacter' | 'input.invisibleCharacter' | 'input.lineBreak';
  /** The character as a code point, `U+001B`. */
  character: string;
}

/**
 * The first string inside `value` holding a refused character, with its path. `schemas` are the zod schemas that
 * describe `value` (more than one through unions); they say whether a string is multi-line. A string the schemas do
 * not describe (an unknown key) is single-line.
 */
function firstBadCharacter(schemas: z.core.$ZodType[], value: unknown, path: string[]): BadCharacter | null {
  if (typeof value === 'string') {
    const control = CONTROL.exec(value);
    if (control) return { path, key: 'input.controlCharacter', character: codePoint(control[0]) };
    const invisible = INVISIBLE.exec(value);
    if (invisible) return { path, key: 'input.invisibleCharacter', character: codePoint(invisible[0]) };
    const lineBreak = LINE_BREAK.exec(value);
    if (lineBreak && !schemas.some(isMultiLine)) return { path, key: 'input.lineBreak', character: codePoint(lineBreak[0]) };
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const found = firstBadCharacter(childSchemas(schemas, key), item, [...path, key]);
    if (found) return found;
  }
  return null;
}

function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** What zod keeps in `_zod.def` of the schema kinds that wrap or contain others. */
interface Def {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  out?: z.core.$ZodType;
  left?: z.core.$ZodType;
  right?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
  getter?: () => z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  catchall?: z.core.$ZodType;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  items?: readonly z.core.$ZodType[];
  rest?: z.core.$ZodType | null;
}

const defOf = (schema: z.core.$ZodType): Def => schema._zod.def as unknown as Def;

/** The schema and every schema it wraps: optional, nullable, default, pipe (both ends), union options, lazy… */
function collectUnwrapped(schema: z.core.$ZodType, seen = new Set<z.core.$ZodType>()): z.core.$ZodType[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = defOf(schema);
  const inner = [def.innerType, def.in, def.out, def.left, def.right, ...(def.options ?? []), def.type === 'lazy' ? def.getter?.() : undefined];
  return [schema, ...inner.flatMap((next) => (next ? collectUnwrapped(next, seen) : []))];
}

/**
 * `collectUnwrapped`, once per schema: schemas are built once at module load and never change, while every request
 * walks its input through them. (A lazy schema's getter is asked once too; zod caches what it returns as well.)
 */
const unwrappedOf = new WeakMap<z.core.$ZodType, readonly z.core.$ZodType[]>();

function unwrapped(schema: z.core.$ZodType): readonly z.core.$ZodType[] {
  let found = unwrappedOf.get(schema);
  if (!found) {
    found = collectUnwrapped(schema);
    unwrappedOf.set(schema, found);
  }
  return found;
}

function isMultiLine(schema: z.core.$ZodType): boolean {
  let found = multiLineOf.get(schema);
  if (found === undefined) {
    found = unwrapped(schema).some((candidate) => multiLineSchemas.has(candidate));
    multiLineOf.set(schema, found);
  }
  return found;
}

/** The schemas of the member `key` (an object's field, an array's or a record's item) of a value `schemas` describe. */
function childSchemas(schemas: z.core.$ZodType[], key: string): z.core.$ZodType[] {
  return schemas.flatMap(unwrapped).flatMap((schema) => {
    const def = defOf(schema);
    const child =
      def.type === 'object'
        ? (Object.hasOwn(def.shape ?? {}, key) ? def.shape![key] : def.catchall)
        : def.type === 'array'
          ? def.element
          : def.type === 'record'
            ? def.valueType
            : def.type === 'tuple'
              ? (def.items?.[Number(key)] ?? def.rest ?? undefined)
              : undefined;
    return child ? [child] : [];
  });
}
