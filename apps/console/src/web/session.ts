/** The signed-in person and the typed client that carries their token; kept in sessionStorage (one tab, one person). */
import { Client, createClient, LoginDocument, MeDocument, Role } from '@kz/client';
import { CONSOLE_RELEASE } from '../release';

export interface Session {
  token: string;
  expiresAt: string;
  person: { id: string; displayName: string; roles: Role[] };
  /** The unit a staff member administers: their board's (live updates follow it). */
  staffUnitId: string | null;
}

const KEY = 'kz-console-session';

/** The gateway the server named in the page (`<meta name="kz-gateway">`). */
export const gatewayUrl = document.querySelector<HTMLMetaElement>('meta[name="kz-gateway"]')?.content ?? '/graphql';

/** Every operation goes by id from the client's manifest, which `npm start` publishes for this release. */
const anonymous = createClient({
  url: gatewayUrl,
  locale: 'zh-CN',
  clientName: CONSOLE_RELEASE.app,
  clientVersion: CONSOLE_RELEASE.version,
  persisted: true,
});

export function loadSession(): Session | null {
  const stored = sessionStorage.getItem(KEY);
  if (!stored) return null;
  const session = JSON.parse(stored) as Session;
  return Date.parse(session.expiresAt) > Date.now() ? session : null;
}

export async function signIn(phone: string, password: string): Promise<Session> {
  const { login } = await anonymous.request(LoginDocument, { input: { phone, password } });
  // The login answers with the masked name; the person reads their own in clear.
  const { me } = await anonymous.with({ token: login.token }).request(MeDocument);
  const session: Session = {
    token: login.token,
    expiresAt: login.expiresAt,
    person: { ...login.person, displayName: me?.realName ?? login.person.displayName },
    staffUnitId: me?.staffUnit?.id ?? null,
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

export function clientOf(session: Session): Client {
  return anonymous.with({ token: session.token });
}

const STAFF: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'DISPATCHER', 'CENTER_ADMIN'];
export const isStaff = (session: Session) => session.person.roles.some((role) => STAFF.includes(role));
export const dispatches = (session: Session) => session.person.roles.some((role) => role === 'DISPATCHER' || role === 'CENTER_ADMIN');
export const runsStation = (session: Session) => session.person.roles.some((role) => role === 'STATION_ADMIN' || role === 'INSTITUTE_ADMIN' || role === 'CENTER_ADMIN');
export const volunteers = (session: Session) => session.person.roles.includes('VOLUNTEER');
