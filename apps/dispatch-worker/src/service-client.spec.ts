import { PermanentFailure } from '@kz/events';
import { freePort, testConfig } from '@kz/testing';
import { escalationJobId } from './deadlines/escalation';
import { classify, RefusedCall, ServiceClient, TransientFailure } from '@kz/worker';
import { subgraphUrl, WORKER_CLAIMS } from './subgraphs';
import { FakeSubgraphs, graphqlError } from './testing/fake-subgraphs';
import { anEvent, eventually, Harness, iso, nextId } from './testing/harness';

const ESCALATE = `mutation($input: EscalateOrderInput!) { escalateOrder(input: $input) { id } }`;
const input = { input: { orderId: '42', stage: 'ACCEPT', level: 'INSTITUTE' } };
const secret = testConfig().CLAIMS_SIGNING_SECRET;

describe('the service client', () => {
  let fake: FakeSubgraphs;
  let client: ServiceClient;

  beforeAll(async () => {
    fake = await FakeSubgraphs.start(secret);
    client = new ServiceClient({ url: fake.url, secret, claims: WORKER_CLAIMS });
  });

  afterAll(() => fake.stop());

  it('signs its calls as the SERVICE dispatch-worker, so the subgraph accepts them', async () => {
    expect(await client.call('escalateOrder', ESCALATE, input)).toEqual({ done: true, data: { escalateOrder: { id: '42', status: 'DISPATCHED' } } });
    expect(fake.calls.at(-1)!.claims).toEqual({ sub: 'dispatch-worker', roles: ['SERVICE'] });
    const forged = new ServiceClient({ url: fake.url, secret: 'x'.repeat(40), claims: WORKER_CLAIMS });
    await expect(forged.call('escalateOrder', ESCALATE, input)).rejects.toThrow(RefusedCall);
  });

  it('takes INVALID_TRANSITION as "already moved on", not as a failure', async () => {
    fake.script('escalateOrder', 1, () => graphqlError('INVALID_TRANSITION', 'ACCEPTED → escalate ACCEPT'));
    expect(await client.call('escalateOrder', ESCALATE, input)).toEqual({ done: false, movedOn: 'INVALID_TRANSITION: ACCEPTED → escalate ACCEPT' });
  });

  it.each(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND'])('fails for good on %s', async (code) => {
    fake.script('escalateOrder', 1, () => graphqlError(code));
    const failure = await client.call('escalateOrder', ESCALATE, input).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PermanentFailure);
    expect((failure as RefusedCall).codes).toEqual([code]);
  });

  it('retries server errors, overload and an unreachable subgraph', async () => {
    fake.script('escalateOrder', 1, () => graphqlError('INTERNAL_SERVER_ERROR'));
    await expect(client.call('escalateOrder', ESCALATE, input)).rejects.toThrow(TransientFailure);
    fake.script('escalateOrder', 1, () => ({ status: 503, body: '<html>bad gateway</html>' }));
    await expect(client.call('escalateOrder', ESCALATE, input)).rejects.toThrow(TransientFailure);
    const nowhere = new ServiceClient({ url: `http://127.0.0.1:${await freePort()}/graphql`, secret, claims: WORKER_CLAIMS });
    await expect(nowhere.call('escalateOrder', ESCALATE, input)).rejects.toThrow(/unreachable/);
  });

  it('classifies answers in one place', () => {
    expect(classify(200, undefined)).toBe('done');
    expect(classify(200, [{ message: '', extensions: { code: 'INVALID_TRANSITION' } }])).toBe('moved-on');
    expect(classify(200, [{ message: '', extensions: { code: 'CONFLICT' } }])).toBe('transient');
    expect(classify(400, [{ message: '', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }])).toBe('permanent');
    expect(classify(200, [{ message: '' }])).toBe('transient');
    expect(classify(429, undefined)).toBe('transient');
    expect(classify(404, undefined)).toBe('permanent');
  });
});

describe('subgraph addresses', () => {
  it('are the configured overrides, or the subgraph ports on this host', () => {
    const defaults = testConfig({ ORG_PORT: '5101', ORDERS_PORT: '5103', ORG_SUBGRAPH_URL: '', ORDERS_SUBGRAPH_URL: '' });
    expect(subgraphUrl(defaults, 'org')).toBe('http://localhost:5101/graphql');
    expect(subgraphUrl(defaults, 'orders')).toBe('http://localhost:5103/graphql');
    const overridden = testConfig({ ORDERS_SUBGRAPH_URL: 'http://orders:4003/graphql' });
    expect(subgraphUrl(overridden, 'orders')).toBe('http://orders:4003/graphql');
  });
});

describe('failures of a timer', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await Harness.start();
    await harness.replica();
  });

  afterAll(() => harness.stop());

  /** An order whose institute timer fires at once (the center's is an hour away). */
  async function overdueOrder(): Promise<string> {
    const orderId = nextId();
    const due = Date.now();
    await harness.publish(anEvent('order.dispatched', { orderId, stationId: '3', dueAt: iso(due) }, new Date(due - 3600_000)));
    return escalationJobId(orderId, 'ACCEPT', 'INSTITUTE', due);
  }

  it('fails for good at the first refusal, and stays in the failed set', async () => {
    harness.fake.script('escalateOrder', 1, () => graphqlError('FORBIDDEN'));
    const timer = await overdueOrder();
    await eventually(async () => ((await harness.jobState(timer)) === 'failed' ? true : undefined));
    const job = await harness.queues.get('dispatch').getJob(timer);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/escalateOrder: FORBIDDEN/);
  });

  it('backs off and tries again after transient failures, until the call goes through', async () => {
    harness.fake.script('escalateOrder', 2, () => ({ status: 502, body: 'bad gateway' }));
    const before = harness.fake.callsOf('escalateOrder').length;
    const timer = await overdueOrder();
    await eventually(async () => ((await harness.jobState(timer)) === 'completed' ? true : undefined), 15_000);
    expect(harness.fake.callsOf('escalateOrder').length - before).toBe(3);
  });
});
