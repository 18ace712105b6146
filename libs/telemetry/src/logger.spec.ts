import { Writable } from 'node:stream';
import { createLogger } from './logger';

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
