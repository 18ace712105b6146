import { createMetrics, graphqlErrorsPlugin, registerScrapeGauge } from './metrics';

describe('metrics', () => {
  it('counts GraphQL errors by code, INTERNAL_SERVER_ERROR for an error without one', async () => {
    const metrics = createMetrics('test');
    const hooks = await graphqlErrorsPlugin(metrics).requestDidStart();
    await hooks.didEncounterErrors({ errors: [{ extensions: { code: 'FORBIDDEN' } }, { extensions: { code: 'FORBIDDEN' } }, {}] });
    const text = await metrics.registry.metrics();
    expect(text).toContain('graphql_errors_total{code="FORBIDDEN",service="test"} 2');
    expect(text).toContain('graphql_errors_total{code="INTERNAL_SERVER_ERROR",service="test"} 1');
  });

  it('reads scrape-time gauges at each scrape and leaves them empty when the read fails', async () => {
    const metrics = createMetrics('test');
    let backlog = 3;
    const failures: string[] = [];
    registerScrapeGauge(metrics.registry, {
      name: 'outbox_events_unpublished',
      help: 'test',
      read: async () => {
        if (backlog < 0) throw new Error('database away');
        return [{ value: backlog }];
      },
      onError: (error) => failures.push(error.message),
    });
    expect(await metrics.registry.metrics()).toContain('outbox_events_unpublished{service="test"} 3');
    backlog = 5;
    expect(await metrics.registry.metrics()).toContain('outbox_events_unpublished{service="test"} 5');
    backlog = -1;
    expect(await metrics.registry.metrics()).toMatch(/^outbox_events_unpublished\{service="test"\} nan$/im); // prom-client writes `Nan`
    expect(failures).toEqual(['database away']);
  });
});
