import type { Claims } from '@kz/auth';
import type { Locale } from '@kz/errors';

export interface GatewayContext {
  claims: Claims | null;
  locale: Locale;
  acceptLanguage?: string;
  requestId: string;
}
