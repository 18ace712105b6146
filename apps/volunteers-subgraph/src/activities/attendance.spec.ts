import { beijingTime, checkInWindow, checkOutWindow, distanceMeters, isWithin } from './attendance';

describe('attendance rules', () => {
  const activity = { startsAt: new Date('2026-11-28T01:00:00Z'), endsAt: new Date('2026-11-28T03:00:00Z') };

  it('opens check-in half an hour before the start and closes it at the end', () => {
    const window = checkInWindow(activity);
    expect(isWithin(window, new Date('2026-11-28T00:29:59Z'))).toBe(false);
    expect(isWithin(window, new Date('2026-11-28T00:30:00Z'))).toBe(true);
    expect(isWithin(window, new Date('2026-11-28T03:00:00Z'))).toBe(true);
    expect(isWithin(window, new Date('2026-11-28T03:00:01Z'))).toBe(false);
  });

  it('keeps check-out open two hours after the end', () => {
    const window = checkOutWindow(activity);
    expect(isWithin(window, new Date('2026-11-28T05:00:00Z'))).toBe(true);
    expect(isWithin(window, new Date('2026-11-28T05:00:01Z'))).toBe(false);
  });

  it('measures distances on the sphere', () => {
    // One degree of latitude is about 111.2 km; one of longitude at 31°N about 95.3 km.
    expect(distanceMeters({ lat: 31, lng: 108 }, { lat: 32, lng: 108 })).toBeCloseTo(111_195, -1);
    expect(distanceMeters({ lat: 31, lng: 108 }, { lat: 31, lng: 109 })).toBeCloseTo(95_315, -2);
    expect(distanceMeters({ lat: 31.16, lng: 108.39 }, { lat: 31.16, lng: 108.39 })).toBe(0);
  });

  it('writes times in Beijing time for the Chinese messages', () => {
    expect(beijingTime(new Date('2026-11-28T01:30:00Z'))).toBe('2026-11-28 09:30');
  });
});
