import { orgDataset, SEVEN_HAVES, type OrgDataset, type SeedTeam, type SeedUnit } from './index';

const kaizhou = orgDataset('kaizhou');
const demo = orgDataset('demo');

const count = <T>(items: readonly T[], keep: (item: T) => boolean): number => items.filter(keep).length;
const byCode = <T extends { code: string }>(items: readonly T[]): Map<string, T> => new Map(items.map((item) => [item.code, item]));

/** Distance in km between two units (haversine). */
function distanceKm(a: SeedUnit, b: SeedUnit): number {
  const rad = (deg: number): number => (deg * Math.PI) / 180;
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** Every parent appears before its children and has the expected level/kind. */
function expectHierarchy(dataset: OrgDataset): void {
  const parentLevel = { CENTER: null, INSTITUTE: 'CENTER', STATION: 'INSTITUTE', POINT: 'STATION' } as const;
  const seenUnits = new Map<string, SeedUnit>();
  for (const unit of dataset.units) {
    const parent = unit.parentCode === null ? null : seenUnits.get(unit.parentCode);
    expect({ code: unit.code, parentLevel: parent === null ? null : (parent?.level ?? 'missing') }).toEqual({
      code: unit.code,
      parentLevel: parentLevel[unit.level],
    });
    seenUnits.set(unit.code, unit);
  }

  const seenTeams = new Map<string, SeedTeam>();
  for (const team of dataset.teams) {
    const parent = team.parentCode === null ? null : seenTeams.get(team.parentCode);
    const expectedParent = team.kind === 'CORPS' ? null : team.kind === 'SQUAD' ? 'BRANCH' : 'CORPS';
    expect({ code: team.code, parentKind: parent === null ? null : (parent?.kind ?? 'missing') }).toEqual({
      code: team.code,
      parentKind: expectedParent,
    });
    expect(seenUnits.has(team.homeUnitCode)).toBe(true);
    if (team.kind === 'SQUAD' && parent) {
      // A squad sits under the branch of its station's institute.
      expect(parent.homeUnitCode).toBe(seenUnits.get(team.homeUnitCode)?.parentCode);
    }
    seenTeams.set(team.code, team);
  }
}

describe('orgDataset("kaizhou")', () => {
  it('has the units of the article: 1 center, 40 institutes, 535 stations, 1 point', () => {
    const levels = kaizhou.units.map((u) => u.level);
    expect(count(levels, (l) => l === 'CENTER')).toBe(1);
    expect(count(levels, (l) => l === 'INSTITUTE')).toBe(40);
    expect(count(levels, (l) => l === 'STATION')).toBe(535);
    expect(count(levels, (l) => l === 'POINT')).toBe(1);
    expect(kaizhou.units).toHaveLength(577);
  });

  it('has the teams of the article: 1 corps, 17 direct, 40 branches, 535 squads, 6 lecture teams', () => {
    const kinds = kaizhou.teams.map((t) => t.kind);
    expect(count(kinds, (k) => k === 'CORPS')).toBe(1);
    expect(count(kinds, (k) => k === 'DIRECT')).toBe(17);
    expect(count(kinds, (k) => k === 'BRANCH')).toBe(40);
    expect(count(kinds, (k) => k === 'SQUAD')).toBe(535);
    expect(count(kinds, (k) => k === 'LECTURE')).toBe(6);
    expect(kaizhou.teams).toHaveLength(599);
  });

  it('designates 1 demonstration institute, 12 stations and 1 point', () => {
    const demonstration = kaizhou.units.filter((u) => u.isDemonstration);
    expect(count(demonstration, (u) => u.level === 'INSTITUTE')).toBe(1);
    expect(count(demonstration, (u) => u.level === 'STATION')).toBe(12);
    expect(count(demonstration, (u) => u.level === 'POINT')).toBe(1);
    expect(count(demonstration, (u) => u.level === 'CENTER')).toBe(0);
    expect(demonstration.map((u) => u.name)).toEqual(
      expect.arrayContaining(['满月镇新时代文明实践所', '迎宾社区新时代文明实践站', '开州国学院新时代文明实践点']),
    );
  });

  it('uses unique ASCII-uppercase codes with the documented natural keys', () => {
    const unitCodes = kaizhou.units.map((u) => u.code);
    const teamCodes = kaizhou.teams.map((t) => t.code);
    expect(new Set(unitCodes).size).toBe(unitCodes.length);
    expect(new Set(teamCodes).size).toBe(teamCodes.length);
    for (const code of [...unitCodes, ...teamCodes]) expect(code).toMatch(/^[A-Z0-9]+(-[A-Z0-9]+)*$/);

    const units = byCode(kaizhou.units);
    expect(units.get('KZ')?.name).toBe('开州区新时代文明实践中心');
    expect(units.get('KZ-HANFENG')?.name).toBe('汉丰街道新时代文明实践所');
    expect(units.get('KZ-MANYUE')?.name).toBe('满月镇新时代文明实践所');
    expect(units.get('KZ-HANFENG-YINGBIN')).toMatchObject({ name: '迎宾社区新时代文明实践站', parentCode: 'KZ-HANFENG' });
    expect(units.get('KZ-YUNFENG-YONGXIAN')).toMatchObject({ name: '永先社区新时代文明实践站', parentCode: 'KZ-YUNFENG' });
    expect(units.get('KZ-HANFENG-YINGBIN-GUOXUEYUAN')).toMatchObject({ level: 'POINT', parentCode: 'KZ-HANFENG-YINGBIN' });
    expect(units.get('KZ-HANFENG-YINGBIN')?.address).toBe('重庆市开州区汉丰街道迎宾社区');

    const teams = byCode(kaizhou.teams);
    expect(teams.get('T-CORPS')).toMatchObject({ name: '明德帅乡志愿服务总队', parentCode: null, homeUnitCode: 'KZ' });
    expect(teams.get('T-BRANCH-HANFENG')).toMatchObject({ name: '汉丰街道志愿服务分队', homeUnitCode: 'KZ-HANFENG' });
    expect(teams.get('T-SQUAD-KZ-HANFENG-YINGBIN')).toMatchObject({ name: '迎宾社区志愿服务小队', parentCode: 'T-BRANCH-HANFENG' });
    expect(teams.get('T-LECTURE-1')).toMatchObject({ name: '“讲理论”宣讲队', specialty: '讲理论' });
  });

  it('names the places of the article and the four direct teams it lists', () => {
    const names = kaizhou.units.map((u) => u.name).join('\n');
    for (const place of ['汉丰街道', '云枫街道', '满月镇', '迎宾社区', '永先社区', '开州国学院']) expect(names).toContain(place);
    const specialties = kaizhou.teams.filter((t) => t.kind === 'DIRECT').map((t) => t.specialty);
    expect(specialties).toEqual(expect.arrayContaining(['理论政策', '春泥护花', '守护健康', '法润万家']));
    expect(kaizhou.teams.filter((t) => t.kind === 'LECTURE').map((t) => t.specialty)).toEqual([
      '讲理论', '讲政策', '讲法律', '讲科技', '讲健康', '讲典型',
    ]);
  });

  it('never repeats a station name within an institute; communities under streets, villages under towns', () => {
    const institutes = kaizhou.units.filter((u) => u.level === 'INSTITUTE');
    const stems = new Set(institutes.map((u) => u.name.replace(/(街道|镇|乡)新时代文明实践所$/, '')));
    expect(stems.size).toBe(40);
    for (const station of kaizhou.units.filter((u) => u.level === 'STATION')) {
      // A generated station never borrows a street/town name, e.g. no 文峰社区 under 汉丰街道.
      expect(stems.has(station.name.slice(0, 2))).toBe(false);
    }
    for (const institute of institutes) {
      const names = kaizhou.units.filter((u) => u.parentCode === institute.code).map((u) => u.name);
      expect(new Set(names).size).toBe(names.length);
      const suffix = institute.name.includes('街道') ? /社区新时代文明实践站$/ : /村新时代文明实践站$/;
      for (const name of names) expect(name).toMatch(suffix);
    }
  });

  it('puts parents before children, at the right level', () => {
    expectHierarchy(kaizhou);
  });

  it('is deterministic', () => {
    expect(orgDataset('kaizhou')).toEqual(kaizhou);
    expect(orgDataset('demo')).toEqual(demo);
  });

  it('places every unit inside Kaizhou, stations within a few km of their institute', () => {
    const units = byCode(kaizhou.units);
    for (const unit of kaizhou.units) {
      expect(unit.lat).toBeGreaterThanOrEqual(30.85);
      expect(unit.lat).toBeLessThanOrEqual(31.7);
      expect(unit.lng).toBeGreaterThanOrEqual(107.9);
      expect(unit.lng).toBeLessThanOrEqual(108.9);
      const parent = unit.parentCode === null ? undefined : units.get(unit.parentCode);
      if (unit.level === 'STATION' && parent) expect(distanceKm(unit, parent)).toBeLessThan(6);
    }
    const hanfeng = units.get('KZ-HANFENG');
    expect(hanfeng?.lat).toBeCloseTo(31.16, 1);
    expect(hanfeng?.lng).toBeCloseTo(108.39, 1);
  });

  it('gives fictitious contacts with well-formed mobile numbers', () => {
    for (const unit of kaizhou.units) {
      expect(unit.contactPhone).toMatch(/^1[3-9]\d{9}$/);
      expect(unit.contactName).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
      expect(['何毅', '曾丽', '祁俊']).not.toContain(unit.contactName);
    }
    expect(new Set(kaizhou.units.map((u) => u.contactPhone)).size).toBe(kaizhou.units.length);
  });

  it('meets all seven haves at the center and demonstration sites, and mostly 4–7 elsewhere', () => {
    for (const unit of kaizhou.units) {
      expect(SEVEN_HAVES.filter((item) => unit.sevenHavesMet.includes(item))).toEqual(unit.sevenHavesMet);
      if (unit.isDemonstration || unit.level === 'CENTER') expect(unit.sevenHavesMet).toEqual([...SEVEN_HAVES]);
    }
    const others = kaizhou.units.filter((u) => !u.isDemonstration && u.level !== 'CENTER');
    expect(count(others, (u) => u.sevenHavesMet.length >= 4) / others.length).toBeGreaterThan(0.8);
    expect(count(others, (u) => u.sevenHavesMet.length < 7)).toBeGreaterThan(0);
  });
});

describe('orgDataset("demo")', () => {
  it('is a subset of kaizhou: every record equals the kaizhou record with the same code', () => {
    const units = byCode(kaizhou.units);
    const teams = byCode(kaizhou.teams);
    for (const unit of demo.units) expect(unit).toEqual(units.get(unit.code));
    for (const team of demo.teams) expect(team).toEqual(teams.get(team.code));
  });

  it('keeps the center, 3 institutes with 3–4 stations each, and the point', () => {
    const names = demo.units.filter((u) => u.level === 'INSTITUTE').map((u) => u.name);
    expect(names).toEqual(['汉丰街道新时代文明实践所', '云枫街道新时代文明实践所', '满月镇新时代文明实践所']);
    for (const institute of demo.units.filter((u) => u.level === 'INSTITUTE')) {
      const stations = count(demo.units, (u) => u.parentCode === institute.code);
      expect(stations).toBeGreaterThanOrEqual(3);
      expect(stations).toBeLessThanOrEqual(4);
    }
    const codes = demo.units.map((u) => u.code);
    expect(codes).toEqual(expect.arrayContaining(['KZ', 'KZ-HANFENG-YINGBIN', 'KZ-YUNFENG-YONGXIAN', 'KZ-HANFENG-YINGBIN-GUOXUEYUAN']));
  });

  it('keeps the corps, 4 direct teams, 6 lecture teams, and the branches and squads of its units', () => {
    const kinds = demo.teams.map((t) => t.kind);
    expect(count(kinds, (k) => k === 'CORPS')).toBe(1);
    expect(count(kinds, (k) => k === 'DIRECT')).toBe(4);
    expect(count(kinds, (k) => k === 'LECTURE')).toBe(6);
    expect(count(kinds, (k) => k === 'BRANCH')).toBe(3);
    expect(count(kinds, (k) => k === 'SQUAD')).toBe(count(demo.units, (u) => u.level === 'STATION'));
    expect(demo.teams.filter((t) => t.kind === 'DIRECT').map((t) => t.specialty)).toEqual(['理论政策', '春泥护花', '守护健康', '法润万家']);
  });

  it('puts parents before children, with every parent inside the subset', () => {
    expectHierarchy(demo);
  });
});
