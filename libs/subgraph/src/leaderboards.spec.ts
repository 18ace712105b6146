import { competitionRanks, leaderboardDay, leaderboardKey } from './leaderboards';

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
});
