import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { Actor } from '@kz/auth';
import { Forbidden } from '@kz/errors';
import { createLogger } from '@kz/telemetry';
import { fields, parseInput, readPage, toConnection, withErrorMapping } from './index';
import type { SubgraphContext } from './index';

const context: SubgraphContext = {
  actor: new Actor(null),
  locale: 'zh-CN',
  requestId: 'req-1',
  log: createLogger('test', 'silent'),
  eventsWritten: () => undefined,
};

describe('withErrorMapping', () => {
  const resolvers = withErrorMapping({
    Query: {
      denied: () => {
        throw new Forbidden();
      },
      broken: () => {
        throw new Error('relation "secret_table" does not exist');
      },
    },
    Unit: {
      __resolveReference: () => {
        throw new Forbidden();
      },
    },
  });

  async function errorOf(call: () => unknown): Promise<GraphQLError> {
    try {
      await call();
    } catch (error) {
      return error as GraphQLError;
    }
    throw new Error('expected a failure');
  }

  it('turns domain errors into coded GraphQL errors in the caller language', async () => {
    const error = await errorOf(() => (resolvers.Query.denied as (...a: unknown[]) => unknown)({}, {}, context, {}));
    expect(error.extensions).toEqual({ code: 'FORBIDDEN' });
    expect(error.message).toBe('您无权执行此操作。');
  });

  it('maps errors of __resolveReference, which is called as (reference, context, info)', async () => {
    const error = await errorOf(() => (resolvers.Unit.__resolveReference as (...a: unknown[]) => unknown)({ id: '1' }, context, {}));
    expect(error.extensions).toEqual({ code: 'FORBIDDEN' });
  });

  it('hides unexpected errors behind INTERNAL_SERVER_ERROR with the request id', async () => {
    const error = await errorOf(() => (resolvers.Query.broken as (...a: unknown[]) => unknown)({}, {}, context, {}));
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' });
    expect(error.message).not.toMatch(/secret_table/);
  });
});

describe('parseInput', () => {
  const schema = z.object({
    name: fields.text(10),
    location: z.object({ lat: fields.range(-90, 90) }).optional(),
    phone: fields.mobile().optional(),
  });
  const failure = (value: unknown) => {
    try {
      parseInput(schema, value);
    } catch (error) {
      return (error as { extensions: Record<string, unknown> }).extensions;
    }
    return null;
  };

  it('names the bad field and says why', () => {
    expect(failure({ name: '  ' })).toEqual({ field: 'input.name' });
    expect(failure({})).toEqual({ field: 'input.name' });
    expect(failure({ name: '一二三四五六七八九十十一' })).toEqual({ field: 'input.name', max: 10 });
    expect(failure({ name: 'ok', location: { lat: 200 } })).toEqual({ field: 'input.location.lat', min: -90, max: 90 });
    expect(failure({ name: 'ok', phone: '12345' })).toEqual({ field: 'input.phone' });
  });

  it('returns trimmed values when the input is good', () => {
    expect(parseInput(schema, { name: ' 迎宾 ' })).toEqual({ name: '迎宾' });
  });
});

describe('pagination', () => {
  it('refuses sizes out of range and cursors of another list', () => {
    expect(() => readPage({ first: 101 }, 'unit')).toThrow(/first/);
    expect(() => readPage({ first: -1 }, 'unit')).toThrow(/first/);
    const page = readPage({ first: 2 }, 'unit');
    const connection = toConnection([{ id: '1' }, { id: '2' }, { id: '3' }], page, 'unit', (row) => row.id, async () => 3);
    expect(connection.edges.map((edge) => edge.node.id)).toEqual(['1', '2']);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(readPage({ after: connection.pageInfo.endCursor }, 'unit').afterKey).toBe('2');
    expect(() => readPage({ after: connection.pageInfo.endCursor }, 'team')).toThrow(/after/);
  });
});
