import { QueryFailedError } from 'typeorm';
import { createLogger } from '@kz/telemetry';
import { isDatabaseUnavailable, toGraphQLError } from './graphql-errors';

const context = { locale: 'zh-CN' as const, log: createLogger('test', 'silent'), requestId: 'req-7' };

/** An error as node-postgres raises it: a message and, for server errors, the SQLSTATE in `code`. */
const pgError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('a database out of reach', () => {
  it('is told from a bug by the SQLSTATE, the socket error or the driver message, also inside a TypeORM error', () => {
    expect(isDatabaseUnavailable(pgError('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('the database system is starting up', '57P03'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new QueryFailedError('SELECT 1', [], pgError('server closed the connection unexpectedly', '08006')))).toBe(true);
    expect(isDatabaseUnavailable(pgError('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });

  it('becomes SERVICE_UNAVAILABLE in the caller’s language with the request id; anything else stays INTERNAL_SERVER_ERROR', () => {
    const unavailable = toGraphQLError(pgError('Connection terminated unexpectedly'), context);
    expect(unavailable.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', requestId: 'req-7' });
    expect(unavailable.message).toBe('服务暂时无法连接数据库，请稍后重试（请求带有幂等键时请使用同一个）。');
    expect(toGraphQLError(new TypeError('boom'), context).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-7' });
  });
});
