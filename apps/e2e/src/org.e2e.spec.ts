import { anInput, errorCodes } from '@kz/testing';
import { Platform, startPlatform } from './stack';

let platform: Platform;
let center: string;
let hanfengAdmin: string;
let yingbinAdmin: string;
let resident: string;

beforeAll(async () => {
  platform = await startPlatform({ seed: 'demo' });
  center = await platform.tokenAs('CENTER_ADMIN', 'KZ');
  hanfengAdmin = await platform.tokenAs('INSTITUTE_ADMIN', 'KZ-HANFENG');
  yingbinAdmin = await platform.tokenAs('STATION_ADMIN', 'KZ-HANFENG-YINGBIN');
  resident = await platform.tokenAs('RESIDENT');
});
afterAll(() => platform.stop());

/** What a failed mutation must leave behind: nothing. */
async function snapshot() {
  const [units] = await platform.org.query('SELECT count(*)::int AS n, md5(string_agg(id || path || name, \',\' ORDER BY id)) AS h FROM practice_unit');
  const [events] = await platform.org.query('SELECT count(*)::int AS n FROM outbox');
  return { units, events };
}

describe('reading the organization tree through the gateway', () => {
  it('gives the whole demo tree in one query, parents before children', async () => {
    const result = await platform.query<{ unitTree: { root: { name: string }; nodes: { depth: number; parentId: string | null; unit: { id: string; name: string; level: string } }[] } }>(
      `{ unitTree { root { name } nodes { depth parentId unit { id name level isDemonstration } } } }`,
      {},
      { token: resident },
    );
    expect(result.errors).toBeUndefined();
    const { root, nodes } = result.data!.unitTree;
    expect(root.name).toBe('开州区新时代文明实践中心');
    expect(nodes).toHaveLength(15);
    expect(nodes.filter((node) => node.unit.level === 'INSTITUTE').map((node) => node.unit.name)).toEqual(
      expect.arrayContaining([expect.stringContaining('汉丰街道'), expect.stringContaining('云枫街道'), expect.stringContaining('满月镇')]),
    );
    const seen = new Set<string>();
    for (const node of nodes) {
      if (node.parentId) expect(seen.has(node.parentId)).toBe(true);
      seen.add(node.unit.id);
    }
  });

  it('pages through units with cursors and counts them', async () => {
    const query = `query($after: String) { units(filter: { level: STATION }, first: 4, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }`;
    type Page = { units: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { name: string } }[] } };
    const first = await platform.query<Page>(query, {}, { token: resident });
    expect(first.data!.units.totalCount).toBe(10);
    expect(first.data!.units.pageInfo.hasNextPage).toBe(true);
    const names = first.data!.units.edges.map((edge) => edge.node.name);
    let after: string | null = first.data!.units.pageInfo.endCursor;
    while (after) {
      const next: { data?: Page | null } = await platform.query<Page>(query, { after }, { token: resident });
      names.push(...next.data!.units.edges.map((edge) => edge.node.name));
      after = next.data!.units.pageInfo.hasNextPage ? next.data!.units.pageInfo.endCursor : null;
    }
    expect(new Set(names).size).toBe(10);
    expect(names).toContain('迎宾社区新时代文明实践站');
  });

  it('filters by subtree, demonstration status and search text', async () => {
    const hanfeng = await platform.unit('KZ-HANFENG');
    const result = await platform.query<{ within: { totalCount: number }; demo: { edges: { node: { code: string } }[] }; search: { edges: { node: { code: string } }[] } }>(
      `query($id: ID!) {
        within: units(filter: { withinUnitId: $id }) { totalCount }
        demo: units(filter: { isDemonstration: true, level: STATION }) { edges { node { code } } }
        search: units(filter: { search: "永先" }) { edges { node { code } } }
      }`,
      { id: hanfeng.id },
      { token: resident },
    );
    expect(result.data!.within.totalCount).toBe(6); // the institute, 4 stations, 1 point
    expect(result.data!.demo.edges.map((edge) => edge.node.code)).toContain('KZ-HANFENG-YINGBIN');
    expect(result.data!.search.edges.map((edge) => edge.node.code)).toEqual(['KZ-YUNFENG-YONGXIAN']);
  });

  it('shows ancestors, children and teams of a unit', async () => {
    const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
    const result = await platform.query<{ unit: { ancestors: { code: string }[]; children: { edges: { node: { name: string; isDemonstration: boolean } }[] }; teams: { edges: { node: { name: string; kind: string; parentTeam: { kind: string } } }[] } } }>(
      `query($id: ID!) { unit(id: $id) {
        ancestors { code }
        children { edges { node { name isDemonstration } } }
        teams { edges { node { name kind parentTeam { kind } } } }
      } }`,
      { id: yingbin.id },
      { token: resident },
    );
    const unit = result.data!.unit;
    expect(unit.ancestors.map((a) => a.code)).toEqual(['KZ', 'KZ-HANFENG']);
    expect(unit.children.edges).toEqual([{ node: { name: '开州国学院新时代文明实践点', isDemonstration: true } }]);
    expect(unit.teams.edges[0]!.node).toEqual({ name: '迎宾社区志愿服务小队', kind: 'SQUAD', parentTeam: { kind: 'BRANCH' } });
  });

  it('shows contact details to staff only', async () => {
    const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
    const query = `query($id: ID!) { unit(id: $id) { name contact { name phone } } }`;
    const asStaff = await platform.query<{ unit: { contact: { phone: string } } }>(query, { id: yingbin.id }, { token: yingbinAdmin });
    expect(asStaff.data!.unit.contact.phone).toMatch(/^1[3-9]\d{9}$/);
    const asResident = await platform.query<{ unit: { name: string; contact: null } }>(query, { id: yingbin.id }, { token: resident });
    expect(asResident.data!.unit).toEqual({ name: '迎宾社区新时代文明实践站', contact: null });
    expect(errorCodes(asResident)).toEqual(['FORBIDDEN']);
  });

  it('reports seven-haves compliance of a subtree item by item', async () => {
    const manyue = await platform.unit('KZ-MANYUE');
    const result = await platform.query<{ sevenHavesReport: { sites: number; fullyCompliant: number; items: { item: string; label: string; met: number }[] } }>(
      `query($id: ID!) { sevenHavesReport(unitId: $id) { sites fullyCompliant averageScore items { item label met ratio } } }`,
      { id: manyue.id },
      { token: resident },
    );
    const report = result.data!.sevenHavesReport;
    expect(report.sites).toBe(4);
    expect(report.items).toHaveLength(7);
    expect(report.items[0]).toMatchObject({ item: 'VENUE', label: '有活动阵地' });
    // 满月镇 is the demonstration institute: it meets all seven itself.
    expect(report.fullyCompliant).toBeGreaterThanOrEqual(1);
    const [stored] = await platform.org.query(
      `SELECT count(*)::int AS n FROM seven_haves_check c JOIN practice_unit u ON u.id = c.unit_id
        WHERE (u.path = $1 OR u.path LIKE $1 || '/%') AND c.item = 'FUNDING' AND c.met`,
      [manyue.path],
    );
    expect(report.items.find((item) => item.item === 'FUNDING')!.met).toBe(stored.n);
  });

  it('refuses anonymous reads', async () => {
    const result = await platform.query(`{ units { totalCount } }`);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('changing the tree', () => {
  it('refuses an unauthenticated mutation', async () => {
    const hanfeng = await platform.unit('KZ-HANFENG');
    const before = await snapshot();
    const result = await platform.query(
      `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`,
      { input: anInput.unit({ parentId: hanfeng.id }) },
    );
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    expect(await snapshot()).toEqual(before);
  });

  it('lets an institute admin create a station in their subtree, with its path and an event', async () => {
    const hanfeng = await platform.unit('KZ-HANFENG');
    const result = await platform.query<{ createUnit: { id: string; path: string; code: string; location: { lat: number } } }>(
      `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id path code location { lat } } }`,
      { input: { parentId: hanfeng.id, level: 'STATION', name: '  滨湖社区新时代文明实践站 ', location: { lat: 31.17, lng: 108.41 } } },
      { token: hanfengAdmin },
    );
    expect(result.errors).toBeUndefined();
    const created = result.data!.createUnit;
    expect(created.path).toBe(`${hanfeng.path}/${created.id}`);
    expect(created.code).toBe(`KZ-HANFENG-U${created.id}`);
    const [stored] = await platform.org.query('SELECT name FROM practice_unit WHERE id = $1', [created.id]);
    expect(stored.name).toBe('滨湖社区新时代文明实践站');
    const events = await platform.org.query(`SELECT type, payload FROM outbox WHERE payload->>'unitId' = $1`, [created.id]);
    expect(events).toEqual([{ type: 'org.unit.created', payload: expect.objectContaining({ level: 'STATION', path: created.path }) }]);
  });

  it('forbids a station admin to edit a station of another institute', async () => {
    const yongxian = await platform.unit('KZ-YUNFENG-YONGXIAN');
    const before = await snapshot();
    const result = await platform.query(
      `mutation($input: UpdateUnitInput!) { updateUnit(input: $input) { name } }`,
      { input: { id: yongxian.id, name: '改名' } },
      { token: yingbinAdmin },
    );
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(await snapshot()).toEqual(before);
  });

  it('forbids a resident to change anything', async () => {
    const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
    const result = await platform.query(
      `mutation($input: UpdateUnitInput!) { updateUnit(input: $input) { name } }`,
      { input: { id: yingbin.id, name: '改名' } },
      { token: resident },
    );
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
  });

  it.each([
    ['an empty name', { level: 'STATION', name: '   ' }, 'input.name'],
    ['an unknown parent', { level: 'STATION', name: '新站', parentId: '999999' }, 'input.parentId'],
    ['a latitude of 200', { level: 'STATION', name: '新站', location: { lat: 200, lng: 108 } }, 'input.location.lat'],
    ['a station under the center', { level: 'STATION', name: '新站', parentAt: 'KZ' }, 'input.level'],
  ])('refuses %s with BAD_USER_INPUT naming the field, and stores nothing', async (_case, input, field) => {
    const hanfeng = await platform.unit('KZ-HANFENG');
    const { parentAt, ...rest } = input as Record<string, unknown>;
    const parentId = parentAt ? (await platform.unit(String(parentAt))).id : (rest.parentId ?? hanfeng.id);
    const before = await snapshot();
    const result = await platform.query(
      `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`,
      { input: { ...rest, parentId } },
      { token: center },
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(result.errors?.[0]?.message).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a second district center as a conflict', async () => {
    const before = await snapshot();
    const result = await platform.query(
      `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`,
      { input: { level: 'CENTER', name: '第二中心', code: 'KZ2' } },
      { token: center },
    );
    expect(errorCodes(result)).toEqual(['CONFLICT']);
    expect(await snapshot()).toEqual(before);
  });

  it('answers in Chinese when asked to', async () => {
    const result = await platform.query(
      `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`,
      { input: anInput.unit({ name: '', parentId: (await platform.unit('KZ-HANFENG')).id }) },
      { token: center, language: 'zh-CN,zh;q=0.9' },
    );
    expect(result.errors?.[0]?.message).toBe('input.name：不能为空。');
  });

  it('refuses to move a unit under its own descendant', async () => {
    const hanfeng = await platform.unit('KZ-HANFENG');
    const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
    const before = await snapshot();
    const result = await platform.query(
      `mutation($input: MoveUnitInput!) { moveUnit(input: $input) { id } }`,
      { input: { id: hanfeng.id, newParentId: yingbin.id } },
      { token: center },
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.newParentId' });
    expect(await snapshot()).toEqual(before);
  });

  it('moves a station with its subtree and teams to another institute in one transaction', async () => {
    const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
    const point = await platform.unit('KZ-HANFENG-YINGBIN-GUOXUEYUAN');
    const yunfeng = await platform.unit('KZ-YUNFENG');
    const result = await platform.query<{ moveUnit: { path: string; parent: { code: string }; children: { edges: { node: { path: string; depth: number } }[] } } }>(
      `mutation($input: MoveUnitInput!) { moveUnit(input: $input) { path parent { code } children { edges { node { path depth } } } } }`,
      { input: { id: yingbin.id, newParentId: yunfeng.id } },
      { token: center },
    );
    expect(result.errors).toBeUndefined();
    const moved = result.data!.moveUnit;
    expect(moved.path).toBe(`${yunfeng.path}/${yingbin.id}`);
    expect(moved.parent.code).toBe('KZ-YUNFENG');
    expect(moved.children.edges).toEqual([{ node: { path: `${moved.path}/${point.id}`, depth: 3 } }]);
    const [team] = await platform.org.query(`SELECT home_unit_path FROM team WHERE code = 'T-SQUAD-KZ-HANFENG-YINGBIN'`);
    expect(team.home_unit_path).toBe(moved.path);
    const [event] = await platform.org.query(`SELECT payload FROM outbox WHERE type = 'org.unit.moved'`);
    expect(event.payload).toMatchObject({ unitId: yingbin.id, oldPath: yingbin.path, newPath: moved.path });

    // The Hanfeng admin no longer reaches it; the Yunfeng one does.
    const update = `mutation($input: UpdateUnitInput!) { updateUnit(input: $input) { name } }`;
    const denied = await platform.query(update, { input: { id: yingbin.id, address: '重庆市开州区' } }, { token: hanfengAdmin });
    expect(errorCodes(denied)).toEqual(['FORBIDDEN']);
    const yunfengAdmin = await platform.tokenAs('INSTITUTE_ADMIN', 'KZ-YUNFENG');
    const allowed = await platform.query(update, { input: { id: yingbin.id, address: '重庆市开州区' } }, { token: yunfengAdmin });
    expect(allowed.errors).toBeUndefined();

    // Move it back so the other tests see the seeded tree.
    const hanfeng = await platform.unit('KZ-HANFENG');
    await platform.query(`mutation($input: MoveUnitInput!) { moveUnit(input: $input) { id } }`, { input: { id: yingbin.id, newParentId: hanfeng.id } }, { token: center });
    expect((await platform.unit('KZ-HANFENG-YINGBIN-GUOXUEYUAN')).path).toBe(point.path);
  });

  it('keeps paths consistent when moves and creates race', async () => {
    const [a, b] = [await platform.unit('KZ-MANYUE-S001'), await platform.unit('KZ-MANYUE-S002')];
    const yunfeng = await platform.unit('KZ-YUNFENG');
    const moves = [a, b].map((station) =>
      platform.query(`mutation($input: MoveUnitInput!) { moveUnit(input: $input) { id } }`, { input: { id: station.id, newParentId: yunfeng.id } }, { token: center }),
    );
    const creates = [a, b, a, b].map((station, index) =>
      platform.query(
        `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`,
        { input: anInput.unit({ parentId: station.id, level: 'POINT', name: `竞态实践点${index}` }) },
        { token: center },
      ),
    );
    const results = await Promise.all([...moves, ...creates]);
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const broken = await platform.org.query(
      `SELECT c.code FROM practice_unit c JOIN practice_unit p ON p.id = c.parent_id
        WHERE c.path <> p.path || '/' || c.id OR c.depth <> p.depth + 1`,
    );
    expect(broken).toEqual([]);
  });

  it('lets a station admin assess their own station, and only the center designate demonstration sites', async () => {
    const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
    const assessed = await platform.query<{ setSevenHaves: { sevenHavesScore: number; sevenHaves: { item: string; met: boolean; evidence: string; updatedBy: string }[] } }>(
      `mutation($input: SetSevenHavesInput!) { setSevenHaves(input: $input) { sevenHavesScore sevenHaves { item met evidence updatedBy } } }`,
      { input: { unitId: yingbin.id, items: [{ item: 'FUNDING', met: false, evidence: '2026年经费未到位' }] } },
      { token: yingbinAdmin },
    );
    expect(assessed.errors).toBeUndefined();
    expect(assessed.data!.setSevenHaves.sevenHaves.find((line) => line.item === 'FUNDING')).toEqual({
      item: 'FUNDING',
      met: false,
      evidence: '2026年经费未到位',
      updatedBy: 'p-station_admin',
    });
    expect(assessed.data!.setSevenHaves.sevenHavesScore).toBe(6);
    const designate = `mutation($input: DesignateDemonstrationInput!) { designateDemonstration(input: $input) { isDemonstration } }`;
    const denied = await platform.query(designate, { input: { unitId: yingbin.id, isDemonstration: false } }, { token: hanfengAdmin });
    expect(errorCodes(denied)).toEqual(['FORBIDDEN']);
    const done = await platform.query<{ designateDemonstration: { isDemonstration: boolean } }>(designate, { input: { unitId: yingbin.id, isDemonstration: false } }, { token: center });
    expect(done.data!.designateDemonstration.isDemonstration).toBe(false);
  });

  it('refuses to make the center a demonstration site of itself, naming the field, and changes nothing', async () => {
    const kz = await platform.unit('KZ');
    const designate = `mutation($input: DesignateDemonstrationInput!) { designateDemonstration(input: $input) { isDemonstration } }`;
    const before = await snapshot();
    const refused = await platform.query(designate, { input: { unitId: kz.id, isDemonstration: true } }, { token: center, language: 'zh-CN' });
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.unitId', level: 'CENTER' });
    expect(refused.errors?.[0]?.message).toContain('示范所、示范站、示范点');
    const inEnglish = await platform.query(designate, { input: { unitId: kz.id, isDemonstration: true } }, { token: center });
    expect(inEnglish.errors?.[0]?.message).toBe(
      'input.unitId: a CENTER cannot be a demonstration site; demonstration sites are institutes, stations and points.',
    );
    expect(await snapshot()).toEqual(before);
    const [row] = await platform.org.query('SELECT is_demonstration AS "isDemonstration" FROM practice_unit WHERE id = $1', [kz.id]);
    expect(row.isDemonstration).toBe(false);
    // Withdrawing is always allowed (it leaves the center as it must be); institutes, stations and points may be designated.
    const withdrawn = await platform.query(designate, { input: { unitId: kz.id, isDemonstration: false } }, { token: center });
    expect(withdrawn.errors).toBeUndefined();
    for (const code of ['KZ-HANFENG', 'KZ-HANFENG-S001', 'KZ-HANFENG-YINGBIN-GUOXUEYUAN']) {
      const site = await platform.unit(code);
      const made = await platform.query<{ designateDemonstration: { isDemonstration: boolean } }>(designate, { input: { unitId: site.id, isDemonstration: true } }, { token: center });
      expect([code, made.errors]).toEqual([code, undefined]);
      expect(made.data!.designateDemonstration.isDemonstration).toBe(true);
    }
  });

  it('creates and updates teams following the structure of the volunteer force', async () => {
    const yingbin = await platform.unit('KZ-HANFENG-YINGBIN');
    const [branch] = await platform.org.query(`SELECT id::text FROM team WHERE code = 'T-BRANCH-HANFENG'`);
    const [corps] = await platform.org.query(`SELECT id::text FROM team WHERE code = 'T-CORPS'`);
    const create = `mutation($input: CreateTeamInput!) { createTeam(input: $input) { id name kind homeUnit { code } parentTeam { code } } }`;
    const wrongParent = await platform.query(create, { input: anInput.team({ homeUnitId: yingbin.id, parentTeamId: corps.id }) }, { token: yingbinAdmin });
    expect(wrongParent.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.parentTeamId' });
    const created = await platform.query<{ createTeam: { id: string; homeUnit: { code: string }; parentTeam: { code: string } } }>(
      create,
      { input: anInput.team({ name: '迎宾第二小队', homeUnitId: yingbin.id, parentTeamId: branch.id }) },
      { token: yingbinAdmin },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createTeam).toMatchObject({ homeUnit: { code: 'KZ-HANFENG-YINGBIN' }, parentTeam: { code: 'T-BRANCH-HANFENG' } });
    const renamed = await platform.query<{ updateTeam: { name: string; specialty: string } }>(
      `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { name specialty } }`,
      { input: { id: created.data!.createTeam.id, name: '迎宾助老小队', specialty: '助老' } },
      { token: yingbinAdmin },
    );
    expect(renamed.data!.updateTeam).toEqual({ name: '迎宾助老小队', specialty: '助老' });
    const teams = await platform.query<{ teams: { totalCount: number } }>(`{ teams(filter: { kind: LECTURE }) { totalCount } }`, {}, { token: resident });
    expect(teams.data!.teams.totalCount).toBe(6);
  });
});
