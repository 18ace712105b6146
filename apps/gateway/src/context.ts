import type { Claims } from '@kz/auth';
import type { Locale } from '@kz/errors';
import type { ClientIdentity } from './client-identity';
import type { RegisteredDocument } from './trusted-documents';

export interface GatewayContext {
  claims: Claims | null;
  locale: Locale;
  acceptLanguage?: string;
  requestId: string;
  /** The app and release the request comes from (headers, or the manifest of its document). */
  client?: ClientIdentity;
  /** The registered document the request runs, when it is one. */
  document?: RegisteredDocument | null;
}
