import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parse } from 'graphql';
import { freePort } from '@kz/testing';
import type { GatewayContext } from './context';
import { SignedDataSource } from './signed-data-source';

/** A subgraph nobody listens for: what the gateway's data source answers in place of its fields. */
async function askUnreachable(query: string, locale: 'en' | 'zh-CN' = 'en') {
  const source = new SignedDataSource(`http://127.0.0.1:${await freePort()}/graphql`, 'x'.repeat(32));
  const context: GatewayContext = { claims: null, locale, requestId: 'req-1' };
  const options = {
    kind: 'incoming operation', // GraphQLDataSourceRequestKind.INCOMING_OPERATION (a const enum at runtime)
    request: { query, variables: {} },
    context,
    incomingRequestContext: {},
    document: parse(query),
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  return source.process(options);
}

describe('a subgraph that cannot be reached', () => {
  it('answers a SERVICE_UNAVAILABLE error at the path of each root field it owns, in the caller’s language', async () => {
    const response = await askUnreachable('{ myAccount { balance } card: pointsAccount(id: "1") { id } __typename }');
    expect(response.data).toBeUndefined();
    expect(response.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['myAccount'], 'SERVICE_UNAVAILABLE'],
      [['card'], 'SERVICE_UNAVAILABLE'],
    ]);
    expect(response.errors?.[0]?.message).toMatch(/cannot be reached/);
    const zh = await askUnreachable('{ myAccount { balance } }', 'zh-CN');
    expect(zh.errors?.[0]?.message).toBe('提供这部分数据的服务暂时无法访问，请稍后重试。');
  });

  it('answers one error without a path for an entity fetch (the gateway places it)', async () => {
    const response = await askUnreachable('query($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }');
    expect(response.errors).toEqual([{ message: expect.any(String), extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
  });
});
