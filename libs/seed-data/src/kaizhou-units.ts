import { contactNameFor, contactPhoneFor } from './contacts';
import {
  CENTER,
  COMMUNITY_SYLLABLES,
  DEMONSTRATION_INSTITUTE_KEY,
  DEMONSTRATION_STATION_CODES,
  INSTITUTES,
  type InstituteSpec,
  POINT,
  VILLAGE_SYLLABLES,
} from './kaizhou-names';
import { createRng } from './prng';
import { SEVEN_HAVES, type SeedUnit, type SevenHavesItem, type UnitLevel } from './types';

/** The bounding box of Kaizhou; every generated coordinate stays inside it. */
export const KAIZHOU_BOUNDS = { minLat: 30.85, maxLat: 31.7, minLng: 107.9, maxLng: 108.9 } as const;

const ADDRESS_PREFIX = '重庆市开州区';
const KM_PER_DEGREE_LAT = 111.0;
const KM_PER_DEGREE_LNG = 111.0 * Math.cos((31.2 * Math.PI) / 180);

/** The institute (实践所) code for a street/town key, e.g. `HANFENG` → `KZ-HANFENG`. */
export const instituteCode = (key: string): string => `${CENTER.code}-${key}`;

export const instituteName = (spec: InstituteSpec): string => `${spec.place}新时代文明实践所`;

export const stationName = (place: string): string => `${place}新时代文明实践站`;

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;
const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** A point at most `maxKm` from (lat, lng), drawn from the stream of `code`. */
function scatter(code: string, lat: number, lng: number, maxKm: number): { lat: number; lng: number } {
  const rng = createRng(`${code}#location`);
  const angle = rng.next() * 2 * Math.PI;
  const km = maxKm * Math.sqrt(rng.next());
  return {
    lat: round6(clamp(lat + (km * Math.sin(angle)) / KM_PER_DEGREE_LAT, KAIZHOU_BOUNDS.minLat, KAIZHOU_BOUNDS.maxLat)),
    lng: round6(clamp(lng + (km * Math.cos(angle)) / KM_PER_DEGREE_LNG, KAIZHOU_BOUNDS.minLng, KAIZHOU_BOUNDS.maxLng)),
  };
}

/**
 * Which of the seven haves a site meets. Demonstration sites and the center meet all seven; other sites lose
 * a few items, mostly 0–3. Every built site has its venue (阵地全覆盖), so VENUE is never the missing one.
 */
function sevenHavesFor(code: string, meetsAll: boolean): SevenHavesItem[] {
  if (meetsAll) return [...SEVEN_HAVES];
  const rng = createRng(`${code}#seven-haves`);
  const roll = rng.next();
  const missingCount = roll < 0.3 ? 0 : roll < 0.55 ? 1 : roll < 0.75 ? 2 : roll < 0.9 ? 3 : roll < 0.97 ? 4 : 5;
  const missing = new Set<SevenHavesItem>();
  const candidates = SEVEN_HAVES.filter((item) => item !== 'VENUE');
  while (missing.size < missingCount) missing.add(rng.pick(candidates));
  return SEVEN_HAVES.filter((item) => !missing.has(item));
}

function unit(
  code: string,
  name: string,
  level: UnitLevel,
  parentCode: string | null,
  isDemonstration: boolean,
  address: string,
  location: { lat: number; lng: number },
): SeedUnit {
  return {
    code,
    name,
    level,
    parentCode,
    isDemonstration,
    address,
    lat: location.lat,
    lng: location.lng,
    contactName: contactNameFor(code),
    contactPhone: contactPhoneFor(code),
    sevenHavesMet: sevenHavesFor(code, isDemonstration || level === 'CENTER'),
  };
}

/** Stems of the street/town names (`汉丰`, `满月`…); a generated station never takes one, to avoid confusion. */
const PLACE_STEMS: ReadonlySet<string> = new Set(INSTITUTES.map((spec) => spec.place.replace(/(街道|镇|乡)$/, '')));

/**
 * Generated station places of one institute: communities (`XX社区`) under streets, villages (`XX村`) under towns.
 * Drawn from the institute's own stream, never repeating a name within the institute or a known station's name.
 */
function generatedPlaces(spec: InstituteSpec): string[] {
  const streets = spec.kind === 'STREET';
  const syllables = streets ? COMMUNITY_SYLLABLES : VILLAGE_SYLLABLES;
  const suffix = streets ? '社区' : '村';
  const rng = createRng(`${instituteCode(spec.key)}#station-names`);
  const taken = new Set(spec.knownStations.map((station) => station.name));
  const places: string[] = [];
  while (places.length < spec.stationCount - spec.knownStations.length) {
    const first = rng.pick(syllables.first);
    const second = rng.pick(syllables.second);
    const place = first + second + suffix;
    if (first === second || PLACE_STEMS.has(first + second) || taken.has(place)) continue;
    taken.add(place);
    places.push(place);
  }
  return places;
}

/** Every unit of Kaizhou, level by level (center, institutes, stations, point), so parents precede children. */
export function kaizhouUnits(): SeedUnit[] {
  const demonstrationStations = new Set(DEMONSTRATION_STATION_CODES);
  const center = unit(CENTER.code, CENTER.name, 'CENTER', null, false, ADDRESS_PREFIX, CENTER);
  const institutes: SeedUnit[] = [];
  const stations: SeedUnit[] = [];

  for (const spec of INSTITUTES) {
    const parent = instituteCode(spec.key);
    institutes.push(
      unit(parent, instituteName(spec), 'INSTITUTE', center.code, spec.key === DEMONSTRATION_INSTITUTE_KEY, ADDRESS_PREFIX + spec.place, spec),
    );
    const known = spec.knownStations.map((station) => ({ code: `${parent}-${station.key}`, place: station.name }));
    const generated = generatedPlaces(spec).map((place, i) => ({ code: `${parent}-S${String(i + 1).padStart(3, '0')}`, place }));
    const radiusKm = spec.kind === 'STREET' ? 2 : 5;
    for (const { code, place } of [...known, ...generated]) {
      const address = ADDRESS_PREFIX + spec.place + place;
      const location = scatter(code, spec.lat, spec.lng, radiusKm);
      stations.push(unit(code, stationName(place), 'STATION', parent, demonstrationStations.has(code), address, location));
    }
  }

  const host = stations.find((station) => station.code === POINT.parentCode);
  if (!host) throw new Error(`the point's station ${POINT.parentCode} is missing`);
  const pointCode = `${POINT.parentCode}-${POINT.key}`;
  const point = unit(pointCode, POINT.name, 'POINT', host.code, true, host.address + POINT.place, scatter(pointCode, host.lat, host.lng, 0.8));

  return [center, ...institutes, ...stations, point];
}
