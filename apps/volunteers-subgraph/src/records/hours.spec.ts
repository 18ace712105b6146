import { hoursFromMinutes, totalHours } from './hours';

describe('hours from minutes', () => {
  it('gives two decimals by default, rounding half up', () => {
    expect(hoursFromMinutes(90)).toBe(1.5);
    expect(hoursFromMinutes(50)).toBe(0.83);
    expect(hoursFromMinutes(1)).toBe(0.02);
    expect(hoursFromMinutes(0)).toBe(0);
    expect(hoursFromMinutes(1440)).toBe(24);
    expect(hoursFromMinutes(20)).toBe(0.33);
    expect(hoursFromMinutes(40)).toBe(0.67);
  });

  it('counts whole hours and a started hour as 0, 0.5 or 1 under the step rules', () => {
    expect([90, 60, 59, 0, 121].map((minutes) => hoursFromMinutes(minutes, 'STARTED_HOUR_0'))).toEqual([1, 1, 0, 0, 2]);
    expect([90, 60, 59, 0, 121].map((minutes) => hoursFromMinutes(minutes, 'STARTED_HOUR_0_5'))).toEqual([1.5, 1, 0.5, 0, 2.5]);
    expect([90, 60, 59, 0, 121].map((minutes) => hoursFromMinutes(minutes, 'STARTED_HOUR_1'))).toEqual([2, 1, 1, 0, 3]);
  });

  it('refuses minutes that are not a whole number ≥ 0', () => {
    expect(() => hoursFromMinutes(-1)).toThrow(RangeError);
    expect(() => hoursFromMinutes(1.5)).toThrow(RangeError);
  });

  it('makes a total the sum of the per-record hours, not the hours of the summed minutes', () => {
    expect(totalHours([30, 30], 'STARTED_HOUR_1')).toBe(2);
    expect(hoursFromMinutes(60, 'STARTED_HOUR_1')).toBe(1);
    // 0.33 + 0.33 + 0.33 = 0.99, where 60 minutes would be 1.
    expect(totalHours([20, 20, 20])).toBe(0.99);
    // Exact to the hundredth however many records: 0.1 + 0.2-style drift does not appear.
    expect(totalHours(Array.from({ length: 1000 }, () => 7))).toBe(120);
    expect(totalHours([])).toBe(0);
  });
});
