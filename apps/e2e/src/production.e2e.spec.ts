import { startGateway } from '@kz/gateway';
import { dropDatabase } from '@kz/db';
import { graphql, testConfig, uniqueName } from '@kz/testing';

const productionEnv = () => ({
  NODE_ENV: 'production',
  JWT_SECRET: 'production-test-secret-0123456789abcdef',
  CLAIMS_SIGNING_SECRET: 'production-claims-secret-0123456789abcd',
  PII_ENCRYPTION_KEY: 'ab'.repeat(32),
  CERTIFICATE_SIGNING_KEY: 'cd'.repeat(32),
  GATEWAY_PORT: '0',
  HOST: '127.0.0.1',
  GATEWAY_DATABASE: uniqueName('gateway'),
  MEDIA_DATABASE: uniqueName('media'),
});

describe('the gateway in production mode', () => {
  it('disables introspection and the landing page', async () => {
    // Apollo Server's own switch, seen with trusted documents off (they would refuse the query before Apollo).
    const config = testConfig({ ...productionEnv(), TRUSTED_DOCUMENTS: 'off' });
    const gateway = await startGateway(config, { port: 0 });
    try {
      const result = await graphql(gateway.url, '{ __schema { queryType { name } } }');
      expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.errors?.[0]?.message).toMatch(/introspection/i);
      const page = await fetch(gateway.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toMatch(/<html/i);
    } finally {
      await gateway.stop();
      await dropDatabase(config, config.GATEWAY_DATABASE);
      await dropDatabase(config, config.MEDIA_DATABASE);
    }
  });

  it('enforces trusted documents unless told otherwise: free text, introspection included, is refused', async () => {
    const config = testConfig(productionEnv());
    const gateway = await startGateway(config, { port: 0 });
    try {
      for (const query of ['{ __schema { queryType { name } } }', '{ __typename }']) {
        const result = await graphql(gateway.url, query);
        expect(result.status).toBe(400);
        expect(result.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENT_REQUIRED');
      }
    } finally {
      await gateway.stop();
      await dropDatabase(config, config.GATEWAY_DATABASE);
      await dropDatabase(config, config.MEDIA_DATABASE);
    }
  });
});
