import type { CallResult, ServiceClient } from '@kz/worker';

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface Station {
  id: string;
  location: GeoPoint;
}

const EARTH_RADIUS_KM = 6371.0088;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance in km (haversine). */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The station nearest to `location`, among all stations on the map; its institute is then the one covering that
 * place. Ties go to the lower id, so every replica picks the same station.
 */
export function nearestStation(stations: readonly Station[], location: GeoPoint): Station | undefined {
  let best: Station | undefined;
  let bestKm = Infinity;
  for (const station of stations) {
    const km = haversineKm(location, station.location);
    if (km < bestKm || (km === bestKm && best && Number(station.id) < Number(best.id))) {
      best = station;
      bestKm = km;
    }
  }
  return best;
}

const STATIONS = `query Stations($after: String) {
  units(filter: { level: STATION }, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id location { lat lng } } }
  }
}`;

type StationsPage = {
  units: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string; location: GeoPoint | null } }[];
  };
};

/**
 * Every station with coordinates, read from the org subgraph page by page and kept for a few minutes per process
 * (stations are few and rarely move; a new one is routed to after at most `ttlMs`). Replicas share nothing: each
 * reads its own copy. A failed read is not cached.
 */
export class StationDirectory {
  private cached: { at: number; stations: Promise<Station[]> } | undefined;

  constructor(
    private readonly org: ServiceClient,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  stations(): Promise<Station[]> {
    if (!this.cached || this.now() - this.cached.at > this.ttlMs) {
      const stations = this.fetchAll();
      const entry = { at: this.now(), stations };
      this.cached = entry;
      stations.catch(() => {
        if (this.cached === entry) this.cached = undefined;
      });
    }
    return this.cached.stations;
  }

  /** Forgets the copy, e.g. when the orders service did not know a station it listed. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchAll(): Promise<Station[]> {
    const stations: Station[] = [];
    let after: string | null = null;
    for (;;) {
      const result: CallResult<StationsPage> = await this.org.call('units', STATIONS, { after });
      if (!result.done) throw new Error(`units: ${result.movedOn}`); // a query has no transitions
      const page: StationsPage['units'] = result.data.units;
      for (const { node } of page.edges) {
        if (node.location) stations.push({ id: node.id, location: node.location });
      }
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return stations;
      after = page.pageInfo.endCursor;
    }
  }
}
