import { startGateway } from '@kz/gateway';
import { graphql, testConfig } from '@kz/testing';

describe('the gateway in production mode', () => {
  it('disables introspection and the landing page', async () => {
    const config = testConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'production-test-secret-0123456789abcdef',
      CLAIMS_SIGNING_SECRET: 'production-claims-secret-0123456789abcd',
      PII_ENCRYPTION_KEY: 'ab'.repeat(32),
      GATEWAY_PORT: '0',
      HOST: '127.0.0.1',
    });
    const gateway = await startGateway(config, { port: 0 });
    try {
      const result = await graphql(gateway.url, '{ __schema { queryType { name } } }');
      expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.errors?.[0]?.message).toMatch(/introspection/i);
      const page = await fetch(gateway.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toMatch(/<html/i);
    } finally {
      await gateway.stop();
    }
  });
});
