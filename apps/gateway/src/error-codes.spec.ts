import { translate } from '@kz/errors';
import { createLogger } from '@kz/telemetry';
import { CLIENT_ERROR_CODES, contractErrorFormatter } from './error-codes';

describe('the error codes clients can receive', () => {
  const format = contractErrorFormatter(createLogger('test', 'silent'));

  it('holds the platform’s codes and the Apollo codes that reach clients', () => {
    expect(CLIENT_ERROR_CODES).toEqual(
      expect.arrayContaining(['BAD_USER_INPUT', 'RATE_LIMITED', 'GRAPHQL_VALIDATION_FAILED', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_DOCUMENT_NOT_FOUND']),
    );
    expect(CLIENT_ERROR_CODES).not.toContain('INVALID_GRAPHQL');
  });

  it('passes an error with a documented code through unchanged', () => {
    const error = { message: 'No ServiceOrder with id 9 exists.', path: ['order'], extensions: { code: 'NOT_FOUND', entity: 'ServiceOrder', id: '9' } };
    expect(format(error)).toBe(error);
  });

  it('sends any other code as INTERNAL_SERVER_ERROR, without its message', () => {
    expect(format({ message: 'Unknown operation named "B".', extensions: { code: 'INVALID_GRAPHQL' } })).toEqual({
      message: translate('internal', {}, 'en'),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(format({ message: 'boom', path: ['units'] })).toMatchObject({ path: ['units'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});
