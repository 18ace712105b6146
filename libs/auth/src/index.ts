export { ROLES, STAFF_ROLES, isRole } from './roles';
export type { Role, Claims } from './roles';
export { claimsFromPayload, createJwtVerifier, signToken } from './jwt';
export type { JwtVerifier } from './jwt';
export { signClaims, verifyClaims, CLAIMS_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER } from './claims-header';
export type { SignedOperation } from './claims-header';
export { Actor, pathWithin } from './actor';
export { DEFAULT_PASSWORD_COST, hashPassword, verifyPassword, decoyHash } from './passwords';
export { PiiVault } from './pii';
export { isValidIdNumber, maskIdNumber, maskMobile, maskName, normalizeIdNumber, withCheckDigit } from './identity-number';
export { isValidUscc, usccCheckCharacter } from './uscc';
export { MediaSigner, PHOTO_CONTENT_TYPES } from './media-signing';
export type { PhotoContentType, PhotoVariant, UploadTicket, UrlCheck } from './media-signing';
export { Photos } from './photos';
export type { PhotoConfig, PhotoView, StoredPhoto } from './photos';
export {
  ageOn,
  birthAndSexOf,
  carriesBirthAndSex,
  DOCUMENT_RULE,
  DOCUMENT_TYPE_ZH,
  DOCUMENT_TYPES,
  isValidDocumentNumber,
  maskDocumentNumber,
  normalizeDocumentNumber,
} from './identity-documents';
export type { DocumentType, Gender } from './identity-documents';
