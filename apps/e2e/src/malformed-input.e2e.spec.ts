import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { Platform, startPlatform } from './stack';
import { InputField, mutationDocument, readSupergraph, TypeRef } from './supergraph-schema';

/**
 * Property: whatever malformed `input` a client sends to any mutation, it gets a clear error — every error carries an
 * `extensions.code` of the contract, none is INTERNAL_SERVER_ERROR, none shows a stack trace, there is no data —
 * and nothing changes in any database (row contents of every table; the outbox by count, since the relay marks its
 * rows as it goes).
 *
 * Inputs start from a well-shaped value of the input type (required fields only, placeholder values) and get one
 * defect that makes them malformed by the contract: a wrong JSON type, a missing required field, an unknown field,
 * an enum value that does not exist, not an object at all, an Int outside 32 bits or not whole, a huge or negative
 * number, a string over every length limit (2000 characters is the longest text the API takes), blank required
 * text, a NUL character, an id that is not an id, a date that is not a date. Fixed seed, modest runs per mutation.
 */
const SEED = 20260129;
const RUNS_PER_MUTATION = 25;
const CONTRACT_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_TRANSITION',
  'INSUFFICIENT_POINTS',
  'OUT_OF_STOCK',
  'PAYLOAD_TOO_LARGE',
  'QUERY_TOO_COMPLEX',
]);

const schema = readSupergraph();
let platform: Platform;
const callers: { label: string; token: string | undefined }[] = [];

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  const personId = async (phone: string) => (await platform.volunteers.query('SELECT id::text FROM person WHERE mobile = $1', [phone]))[0].id as string;
  callers.push(
    { label: 'CENTER_ADMIN', token: await platform.tokenAs('CENTER_ADMIN', 'KZ', await personId('13900230001')) },
    { label: 'STATION_ADMIN', token: await platform.tokenAs('STATION_ADMIN', 'KZ-HANFENG-YINGBIN', await personId('13900230005')) },
    { label: 'VOLUNTEER', token: await platform.token({ sub: await personId('13900230007'), roles: ['RESIDENT', 'VOLUNTEER'] }) },
    { label: 'nobody', token: undefined },
  );
});

afterAll(() => platform?.stop());

// ── a cheap fingerprint of every database ──────────────────────────────────────────────────────────────────

async function fingerprintOf(db: DataSource): Promise<Record<string, string>> {
  const tables: { name: string }[] = await db.query(
    `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  if (tables.length === 0) return {};
  const parts = tables.map(({ name }) =>
    name === 'outbox'
      ? `SELECT '${name}' AS t, count(*)::text AS f FROM ${name}`
      : `SELECT '${name}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS f FROM ${name} x`,
  );
  const rows: { t: string; f: string }[] = await db.query(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((row) => [row.t, row.f]));
}

async function fingerprint(): Promise<Record<string, Record<string, string>>> {
  const dbs = { org: platform.org, volunteers: platform.volunteers, orders: platform.orders, points: platform.points, notifications: platform.notifications };
  const entries = await Promise.all(Object.entries(dbs).map(async ([name, db]) => [name, await fingerprintOf(db)] as const));
  return Object.fromEntries(entries);
}

// ── well-shaped values and their defects ───────────────────────────────────────────────────────────────────

const FUTURE = new Date(Date.UTC(2030, 0, 1, 8)).toISOString();

function sampleOf(ref: Pick<TypeRef, 'name'>, depth = 0): unknown {
  switch (ref.name) {
    case 'ID':
      return '1';
    case 'String':
      return '测试';
    case 'Int':
      return 1;
    case 'Float':
      return 31.16;
    case 'Boolean':
      return true;
    case 'DateTime':
      return FUTURE;
  }
  const values = schema.enums.get(ref.name);
  if (values) return values[0];
  const fields = schema.inputs.get(ref.name);
  if (fields) return depth > 4 ? {} : wellShaped(fields, depth + 1);
  throw new Error(`no sample for type ${ref.name}`);
}

function valueOf(field: TypeRef, depth = 0): unknown {
  const sample = sampleOf(field, depth);
  return field.list ? [sample] : sample;
}

function wellShaped(fields: InputField[], depth = 0): Record<string, unknown> {
  return Object.fromEntries(fields.filter((field) => field.required).map((field) => [field.field, valueOf(field, depth)]));
}

/** A field somewhere in the input type (nested input objects included), with its path. */
interface FieldAt {
  path: string[];
  field: InputField;
}

function fieldsOf(typeName: string, prefix: string[] = [], depth = 0): FieldAt[] {
  const fields = schema.inputs.get(typeName) ?? [];
  return fields.flatMap((field) => {
    const here = { path: [...prefix, field.field], field };
    const nested = schema.inputs.has(field.name) && depth < 3 ? fieldsOf(field.name, field.list ? [...prefix, field.field, '0'] : [...prefix, field.field], depth + 1) : [];
    return [here, ...nested];
  });
}

type Defect = { kind: string; apply(input: Record<string, unknown>): unknown };

/** Neither a numeric id nor a code (some ID fields hold codes such as ENVIRONMENT: `^[A-Z][A-Z0-9_]{1,31}$`). */
const BAD_IDS = ['-1', '0', '1.5', '1e5', '0x10', '99999999999999999999999', '', ' 1', '1; DROP TABLE person', '١٢٣', '\u0000'];
const BAD_DATES = ['2026-13-45T00:00:00Z', 'yesterday', '', '1e10', '2026-02-30'];
const OUT_OF_INT = [2 ** 31, -(2 ** 31) - 1, 1.5, 1e20];
const HUGE_OR_NEGATIVE_INT = [-(2 ** 31), -1, 2 ** 31 - 1];
const HUGE_FLOAT = [1e308, -1e308, 1e16];
const JUNK_TEXT = ['a\u0000b', 'x'.repeat(5001), '开'.repeat(2001) + '\u202e', '\u200b'.repeat(2001)];

/** Sets the value at `path` inside a copy of `input` (creating parents as needed). */
function setAt(input: Record<string, unknown>, path: string[], value: unknown, remove = false): Record<string, unknown> {
  const copy = structuredClone(input);
  let node: Record<string, unknown> | unknown[] = copy;
  for (const key of path.slice(0, -1)) {
    const container = node as Record<string, unknown>;
    if (container[key] === undefined || container[key] === null || typeof container[key] !== 'object') container[key] = /^\d+$/.test(key) ? [] : {};
    node = container[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (remove) delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = value;
  return copy;
}

/** The parent objects along `path` get their required fields, so a defect deep inside is the only one there. */
function withParents(input: Record<string, unknown>, at: FieldAt, typeName: string): Record<string, unknown> {
  let copy = input;
  let type = typeName;
  const walked: string[] = [];
  for (const key of at.path.slice(0, -1)) {
    if (/^\d+$/.test(key)) continue; // the item of a list field, pushed with it
    walked.push(key);
    const field = (schema.inputs.get(type) ?? []).find((f) => f.field === key);
    if (!field) break;
    type = field.name;
    const shaped = wellShaped(schema.inputs.get(type) ?? []);
    copy = setAt(copy, walked, field.list ? [shaped] : shaped);
    if (field.list) walked.push('0');
  }
  return copy;
}

function defectsFor(typeName: string): fc.Arbitrary<Defect> {
  const base = wellShaped(schema.inputs.get(typeName) ?? []);
  const at = fieldsOf(typeName);
  const wrongTypeFor = (field: InputField): unknown[] => {
    if (schema.inputs.has(field.name)) return ['not an object', 42, true];
    if (field.list) return [{ not: 'a list item' }, [{ a: 1 }]];
    switch (field.name) {
      case 'Int':
        return ['1', true, { n: 1 }];
      case 'Float':
        return ['31.16', false, [1]];
      case 'Boolean':
        return ['true', 1, {}];
      case 'ID':
        return [true, 1.5, { id: '1' }];
      default:
        return [123, true, { text: '测试' }, ['测试']];
    }
  };
  const onField = (field: FieldAt): fc.Arbitrary<Defect>[] => {
    const put = (kind: string, values: unknown[]) =>
      fc.constantFrom(...values).map((value): Defect => ({ kind: `${kind} at ${field.path.join('.')}: ${JSON.stringify(value)?.slice(0, 40)}`, apply: (input) => setAt(withParents(input, field, typeName), field.path, value) }));
    const options: fc.Arbitrary<Defect>[] = [put('wrong type', wrongTypeFor(field.field))];
    if (field.field.required) {
      options.push(fc.constant<Defect>({ kind: `missing ${field.path.join('.')}`, apply: (input) => setAt(withParents(input, field, typeName), field.path, undefined, true) }));
      options.push(put('null required', [null]));
    }
    const scalar = field.field.list ? null : field.field.name;
    if (schema.enums.has(field.field.name)) options.push(put('unknown enum value', ['NOT_A_VALUE', String(schema.enums.get(field.field.name)![0]).toLowerCase(), '']));
    if (scalar === 'Int') options.push(put('Int outside 32 bits or not whole', OUT_OF_INT), put('huge or negative', HUGE_OR_NEGATIVE_INT));
    if (scalar === 'Float') options.push(put('huge float', HUGE_FLOAT));
    if (scalar === 'ID') options.push(put('bad id', BAD_IDS));
    if (scalar === 'DateTime') options.push(put('bad date', BAD_DATES));
    if (scalar === 'String') options.push(put('junk text', field.field.required ? [...JUNK_TEXT, '   '] : JUNK_TEXT));
    return options;
  };
  return fc.oneof(
    fc.constant<Defect>({ kind: 'unknown field', apply: (input) => ({ ...input, notAField: 1 }) }),
    fc.constantFrom<unknown>(null, 'input', 7, [], [base]).map((value): Defect => ({ kind: `input is ${JSON.stringify(value)}`, apply: () => value })),
    ...at.flatMap(onField),
  );
}

// ── the property, per mutation ─────────────────────────────────────────────────────────────────────────────

describe('malformed input to every mutation', () => {
  it('covers every mutation of the supergraph, with a fingerprint that sees a change', async () => {
    expect(schema.mutations.size).toBeGreaterThan(50);
    const before = await fingerprint();
    for (const tables of Object.values(before)) expect(Object.keys(tables).length).toBeGreaterThan(2);
    await platform.org.query(`UPDATE practice_unit SET name = name || '·' WHERE code = 'KZ-MANYUE-S003'`);
    const changed = await fingerprint();
    await platform.org.query(`UPDATE practice_unit SET name = rtrim(name, '·') WHERE code = 'KZ-MANYUE-S003'`);
    expect(changed.org).not.toEqual(before.org);
    expect(await fingerprint()).toEqual(before);
  });

  it.each([...schema.mutations.keys()])('%s: a clear coded error, and no change', async (name) => {
    const info = schema.mutations.get(name)!;
    const document = mutationDocument(info);
    const base = wellShaped(schema.inputs.get(info.inputType) ?? []);
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(defectsFor(info.inputType), fc.constantFrom(...callers), async (defect, caller) => {
        const input = defect.apply(base);
        const result = await platform.query<Record<string, unknown>>(document, { input }, { token: caller.token });
        const context = `${name} as ${caller.label}, ${defect.kind}`;
        expect({ context, status: result.status < 500 }).toEqual({ context, status: true });
        expect({ context, errors: (result.errors ?? []).length > 0 }).toEqual({ context, errors: true });
        expect({ context, data: result.data?.[name] ?? null }).toEqual({ context, data: null });
        for (const error of result.errors ?? []) {
          const code = String(error.extensions?.code);
          expect({ context, code, known: CONTRACT_CODES.has(code) }).toEqual({ context, code, known: true });
          expect(error.extensions?.stacktrace).toBeUndefined();
          expect(error.extensions?.exception).toBeUndefined();
          expect(error.message).not.toMatch(/\n\s+at |QueryFailedError|syntax error at|violates|invalid input syntax/);
        }
      }),
      { seed: SEED, numRuns: RUNS_PER_MUTATION, endOnFailure: true },
    );
    expect(await fingerprint()).toEqual(before);
  });
});

// ── control characters in every text input ─────────────────────────────────────────────────────────────────

/**
 * Every text field of every mutation input (nested ones and lists of text included) gets, in turn, U+0001, a terminal
 * escape sequence, the right-to-left override, a zero-width space and, where the field is one line, a line break, between ordinary text
 * (fast-check, fixed seed). Whoever may call the mutation is refused with BAD_USER_INPUT naming that field and the
 * character; callers without the role are refused before; nothing is stored.
 */
const CONTROL_PROBES = [
  { name: 'U+0001', text: '\u0001', character: 'U+0001' },
  { name: 'an ESC sequence', text: '\u001b[31m红色\u001b[0m', character: 'U+001B' },
  { name: 'the right-to-left override', text: 'invoice\u202Efdp.exe', character: 'U+202E' },
  { name: 'a zero-width space', text: '何\u200B毅', character: 'U+200B' },
];
const LINE_BREAK_PROBE = { name: 'a newline in a one-line field', text: '第一行\n第二行', character: 'U+000A' };
const REFUSED_ANYWHERE =
  /[\u0000-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B\u200E\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFEFF\uFFA0]/;
const ordinaryText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }).filter((text) => !REFUSED_ANYWHERE.test(text) && text.trim() === text);

function textFieldsOf(typeName: string): FieldAt[] {
  return fieldsOf(typeName).filter((at) => at.field.name === 'String');
}

describe('control characters in every text input', () => {
  const withText = [...schema.mutations.values()].filter((info) => textFieldsOf(info.inputType).length > 0);

  it('covers the mutations that take text, and knows which fields are multi-line', () => {
    expect(withText.length).toBeGreaterThan(35);
    const multiLine = withText.flatMap((info) => textFieldsOf(info.inputType).filter((at) => at.field.multiLine).map((at) => `${info.name}.${at.path.join('.')}`));
    expect(multiLine).toEqual(expect.arrayContaining(['suspendVolunteer.reason', 'deliverOrder.note', 'setSevenHaves.items.0.evidence']));
    expect(multiLine).not.toContain('placeOrder.title');
  });

  it.each(withText.map((info) => [info.name, info]))('%s: refused in every text field, naming it; nothing stored', async (name, info) => {
    const document = mutationDocument(info);
    const base = wellShaped(schema.inputs.get(info.inputType) ?? []);
    const [before, [prefix, suffix]] = [await fingerprint(), fc.sample(fc.tuple(ordinaryText, ordinaryText), { seed: SEED, numRuns: 1 })[0]!];
    for (const at of textFieldsOf(info.inputType)) {
      for (const probe of at.field.multiLine ? CONTROL_PROBES : [...CONTROL_PROBES, LINE_BREAK_PROBE]) {
        const text = `${prefix}${probe.text}${suffix}`;
        const input = setAt(withParents(base, at, info.inputType), at.path, at.field.list ? [text] : text);
        const field = ['input', ...at.path, ...(at.field.list ? ['0'] : [])].join('.');
        const context = `${name} ${field} with ${probe.name}`;
        const answers: { caller: string; codes: unknown[]; field?: unknown; character?: unknown }[] = [];
        for (const caller of callers) {
          const result = await platform.query<Record<string, unknown>>(document, { input }, { token: caller.token });
          expect({ context, caller: caller.label, status: result.status < 500, data: result.data?.[name] ?? null }).toEqual({ context, caller: caller.label, status: true, data: null });
          const codes = (result.errors ?? []).map((error) => error.extensions?.code);
          expect({ context, known: codes.length > 0 && codes.every((code) => CONTRACT_CODES.has(String(code))) }).toEqual({ context, known: true });
          const first = result.errors?.[0]?.extensions;
          answers.push({ caller: caller.label, codes, field: first?.field, character: first?.character });
          if (codes[0] === 'BAD_USER_INPUT') break;
        }
        expect({ context, refused: answers.at(-1) }).toEqual({
          context,
          refused: { caller: expect.any(String), codes: ['BAD_USER_INPUT'], field, character: probe.character },
        });
      }
    }
    expect(await fingerprint()).toEqual(before);
  });
});

// ── photo upload ids ───────────────────────────────────────────────────────────────────────────────────────

/**
 * `photoIds` of placeOrder and deliverOrder take the signed upload ids of `POST /uploads`. Anything else — not an
 * upload id, one with a forged signature, one of another caller, too long, too many — is BAD_USER_INPUT naming the
 * item (or the list), and nothing is stored.
 */
describe('photo upload ids that are not the caller’s uploads', () => {
  const forged = `${Buffer.from(JSON.stringify({ i: '00000000-0000-4000-8000-000000000000', w: 1, h: 1, t: 0, s: Math.floor(Date.now() / 1000) })).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`;
  const cases: [string, unknown, string][] = [
    ['not an upload id', ['photo.jpg'], 'input.photoIds.0'],
    ['blank', [''], 'input.photoIds.0'],
    ['a forged signature', [forged], 'input.photoIds.0'],
    ['a URL', ['https://img.example/a.jpg'], 'input.photoIds.0'],
    ['over 300 characters', ['a.'.repeat(200)], 'input.photoIds.0'],
    ['ten of them', Array.from({ length: 10 }, () => forged), 'input.photoIds'],
  ];

  it.each(cases)('placeOrder with %s: BAD_USER_INPUT naming it, nothing stored', async (_case, photoIds, field) => {
    const resident = callers.find((caller) => caller.label === 'VOLUNTEER')!;
    const before = await fingerprint();
    const result = await platform.query(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      { input: { title: '楼道灯不亮', category: 'SAFETY_FACILITIES', channel: 'APP', photoIds } },
      { token: resident.token },
    );
    expect(result.errors?.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([['BAD_USER_INPUT', field]]);
    expect(await fingerprint()).toEqual(before);
  });

  it('deliverOrder with a forged upload id: a coded error, nothing stored', async () => {
    const staff = callers.find((caller) => caller.label === 'STATION_ADMIN')!;
    const orderId = ((await platform.orders.query(`SELECT id::text FROM service_order ORDER BY id LIMIT 1`)) as { id: string }[])[0]?.id ?? '1';
    const before = await fingerprint();
    const result = await platform.query(
      `mutation($input: DeliverOrderInput!) { deliverOrder(input: $input) { id } }`,
      { input: { orderId, note: '已完成', outcome: 'FULL', minutes: [{ volunteerId: '1', minutes: 30 }], photoIds: [forged] } },
      { token: staff.token },
    );
    const codes = (result.errors ?? []).map((error) => String(error.extensions?.code));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((code) => CONTRACT_CODES.has(code))).toBe(true);
    expect(await fingerprint()).toEqual(before);
  });
});
