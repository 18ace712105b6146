import { competitionRanks, leaderboardDay, leaderboardKey, periodStart } from './leaderboards';

describe('leaderboard helpers', () => {
  it('ranks a first page 1, 2, 2, 4', () => {
    expect(competitionRanks([300, 120, 120, 90], 0, 0)).toEqual([1, 2, 2, 4]);
  });

  it('keeps a tie that straddles pages at its rank, and counts the tied lines before the page', () => {
    // Board 300, 120, 120, 120, 90; the page starts at the second 120 (one line above, one tied before it).
    expect(competitionRanks([120, 120, 90], 1, 1)).toEqual([2, 2, 5]);
  });

  it('refuses days that do not exist and cursors that are not value:id', () => {
    expect(leaderboardDay('2024-02-29')).toBe('2024-02-29');
    for (const on of ['2026-02-29', '2026-2-01', '1999-12-31', '']) expect(() => leaderboardDay(on)).toThrow();
    expect(leaderboardKey('120:7')).toEqual({ value: 120, id: '7' });
    for (const key of ['120', '-1:7', '1:0', 'a:b']) expect(() => leaderboardKey(key)).toThrow();
  });

  it('starts periods on the Beijing calendar: Monday, the 1st, New Year', () => {
    // 2026-12-06 16:00Z is Monday 2026-12-07 00:00 in Beijing; a second earlier it is still Sunday.
    expect(periodStart('WEEK', null, new Date('2026-12-06T16:00:00Z'))).toBe('2026-12-07');
    expect(periodStart('WEEK', null, new Date('2026-12-06T15:59:59Z'))).toBe('2026-11-30');
    expect(periodStart('MONTH', null, new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01');
    expect(periodStart('YEAR', null, new Date('2025-12-31T15:59:59Z'))).toBe('2025-01-01');
    expect(periodStart('YEAR', null, new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
    expect(periodStart('WEEK', '2026-01-01')).toBe('2025-12-29');
    expect(periodStart('MONTH', '2024-02-29')).toBe('2024-02-01');
  });
});
