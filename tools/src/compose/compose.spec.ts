import { readFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_FILE } from './compose';

describe('the supergraph', () => {
  it('composes from every subgraph schema and the checked-in file is not stale (run `npm run compose`)', () => {
    const composed = composeSupergraph();
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composed);
  });
});
