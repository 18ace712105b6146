import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { currentRequestScope, runInRequestScope } from './request-scope';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, sink };
}

describe('createLogger', () => {
  it('never writes passwords, tokens or ID numbers', () => {
    const { lines, sink } = capture();
    const logger = createLogger('test', 'info', sink);
    logger.info(
      {
        input: { password: 'hunter2', idNumber: '500234199001011234' },
        token: 'eyJabc',
        headers: { authorization: 'Bearer eyJabc' },
      },
      'login attempt',
    );
    const written = lines.join('');
    expect(written).toContain('login attempt');
    expect(written).toContain('"service":"test"');
    expect(written).not.toMatch(/hunter2|500234199001011234|eyJabc/);
  });
});

describe('request ids in logs', () => {
  it('tags each line logged inside a request scope with its id, once, also through a child bound to it', () => {
    const { lines, sink } = capture();
    const logger = createLogger('test', 'info', sink);
    logger.info('outside');
    runInRequestScope('req-42', () => {
      logger.info('inside');
      logger.child({ requestId: 'req-42' }).info('child');
    });
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((line) => [line.msg, line.requestId])).toEqual([
      ['outside', undefined],
      ['inside', 'req-42'],
      ['child', 'req-42'],
    ]);
    expect(lines[2]!.match(/"requestId"/g)).toHaveLength(1);
  });

  it('adds the client address the app put in the scope, child loggers included', () => {
    const { lines, sink } = capture();
    const logger = createLogger('test', 'info', sink);
    runInRequestScope('req-43', () => {
      logger.info('before');
      currentRequestScope()!.clientAddress = '198.51.100.7';
      logger.info('after');
      logger.child({ requestId: 'req-43' }).info('child');
    });
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((line) => [line.msg, line.requestId, line.client])).toEqual([
      ['before', 'req-43', undefined],
      ['after', 'req-43', '198.51.100.7'],
      ['child', 'req-43', '198.51.100.7'],
    ]);
  });
});
