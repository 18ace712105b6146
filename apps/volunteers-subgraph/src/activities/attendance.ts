/**
 * When and where volunteers may check in and out. One block of constants, so the rules can be read (and changed)
 * in one place.
 */
export const ATTENDANCE_RULES = {
  /** Check-in opens this long before the activity starts… */
  checkInOpensBeforeStartMinutes: 30,
  /** …and closes when it ends. Check-out stays open this long after the end, for those who stay to tidy up. */
  checkOutClosesAfterEndMinutes: 120,
} as const;

const MINUTE = 60_000;

export interface TimeWindow {
  opensAt: Date;
  closesAt: Date;
}

export function checkInWindow(activity: { startsAt: Date; endsAt: Date }): TimeWindow {
  return {
    opensAt: new Date(activity.startsAt.getTime() - ATTENDANCE_RULES.checkInOpensBeforeStartMinutes * MINUTE),
    closesAt: activity.endsAt,
  };
}

/** From check-in (the earliest possible one) until a while after the end. */
export function checkOutWindow(activity: { startsAt: Date; endsAt: Date }): TimeWindow {
  return {
    opensAt: checkInWindow(activity).opensAt,
    closesAt: new Date(activity.endsAt.getTime() + ATTENDANCE_RULES.checkOutClosesAfterEndMinutes * MINUTE),
  };
}

export function isWithin(window: TimeWindow, at: Date): boolean {
  return at.getTime() >= window.opensAt.getTime() && at.getTime() <= window.closesAt.getTime();
}

export interface LatLng {
  lat: number;
  lng: number;
}

/** Mean Earth radius (IUGG), metres. */
const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance between two WGS-84 points, in metres (haversine; well under 0.5 % off at these scales). */
export function distanceMeters(a: LatLng, b: LatLng): number {
  const rad = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A time as people in Kaizhou read it (Beijing time, no DST), for the Chinese messages: `2026-11-28 09:30`. */
export function beijingTime(at: Date): string {
  return new Date(at.getTime() + 8 * 60 * MINUTE).toISOString().slice(0, 16).replace('T', ' ');
}
