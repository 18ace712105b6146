import { SignJWT } from 'jose';
import { DEV_PII_KEY } from '@kz/config';
import { WeChatTickets } from './wechat-tickets';

describe('WeChat sign-in tickets', () => {
  let now = Date.UTC(2026, 11, 6, 23, 0);
  const tickets = new WeChatTickets(DEV_PII_KEY, 'kz-practice', 600, () => now);
  const problemOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: { code: string; params: { field: string } }) => `${error.code} ${error.params.field}`);

  it('carry the openid, unionid and vouched-for number, never more, and only for their own step', async () => {
    const { ticket, expiresAt } = await tickets.issue({ kind: 'signUp', openid: 'o-1', unionid: 'u-1', mobile: '13912345678' });
    expect(expiresAt).toEqual(new Date(now + 600_000));
    expect(await tickets.verify(ticket, 'signUp')).toEqual({ kind: 'signUp', openid: 'o-1', unionid: 'u-1', mobile: '13912345678' });
    expect(Object.keys(JSON.parse(Buffer.from(ticket.split('.')[1]!, 'base64url').toString())).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'knd', 'mob', 'oid', 'uid']);
    expect(await problemOf(tickets.verify(ticket, 'bind'))).toBe('BAD_USER_INPUT input.ticket');
  });

  it('expire after their time to live', async () => {
    const { ticket } = await tickets.issue({ kind: 'bind', openid: 'o-2', unionid: null });
    now += 599_000;
    expect((await tickets.verify(ticket, 'bind')).openid).toBe('o-2');
    now += 2_000;
    expect(await problemOf(tickets.verify(ticket, 'bind'))).toBe('BAD_USER_INPUT input.ticket');
  });

  it('are refused when signed with another key (a bearer token, or another deployment), or not JWTs at all', async () => {
    const other = new WeChatTickets('ab'.repeat(32), 'kz-practice', 600, () => now);
    const { ticket } = await other.issue({ kind: 'bind', openid: 'o-3', unionid: null });
    expect(await problemOf(tickets.verify(ticket, 'bind'))).toBe('BAD_USER_INPUT input.ticket');
    const bearerLike = await new SignJWT({ knd: 'bind', oid: 'o-3' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('kz-practice')
      .setAudience('kz-practice-graph')
      .setExpirationTime(Math.floor(now / 1000) + 60)
      .sign(new TextEncoder().encode('dev-only-jwt-secret-change-me-0123456789'));
    expect(await problemOf(tickets.verify(bearerLike, 'bind'))).toBe('BAD_USER_INPUT input.ticket');
    expect(await problemOf(tickets.verify('not-a-ticket', 'bind'))).toBe('BAD_USER_INPUT input.ticket');
  });
});
