import { Conditions } from './conditions';

describe('Conditions', () => {
  it('is an empty WHERE without conditions', () => {
    expect(new Conditions().where).toBe('');
  });

  it('numbers parameters in order, across param(), add() with its own and within()', () => {
    const where = new Conditions();
    where.add(`status = ${where.param('OPEN')}`);
    where.add('station_id = ANY($2::bigint[])', [['5', '6']]);
    where.within('unit_path', '1/7');
    expect(where.where).toBe(`WHERE status = $1 AND station_id = ANY($2::bigint[]) AND (unit_path = $3 OR unit_path LIKE $3 || '/%')`);
    expect(where.params).toEqual(['OPEN', ['5', '6'], '1/7']);
  });
});
