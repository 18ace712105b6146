import { readFileSync } from 'node:fs';
import { README, readmeWithConfigTable } from './config-table';
import { EVENTS_DOC, eventsDoc } from './events-doc';
import { ORDERS_DOC, ordersDocWithTable } from './orders-doc';

describe('the README', () => {
  it('documents every environment variable with its default (run `npm run docs` after changing them)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(readmeWithConfigTable(readme));
  });

  it('shows the two commands of the quick start', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});

describe('docs/events.md', () => {
  it('lists every event of the catalogue with its queues (run `npm run docs` after changing them)', () => {
    expect(readFileSync(EVENTS_DOC, 'utf8')).toBe(eventsDoc());
  });
});

describe('docs/orders.md', () => {
  it('shows the six-order state machine the service runs (run `npm run docs` after changing it)', () => {
    const doc = readFileSync(ORDERS_DOC, 'utf8');
    expect(doc).toBe(ordersDocWithTable(doc));
  });
});
