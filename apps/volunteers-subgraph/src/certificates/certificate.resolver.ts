import type { PageArgs } from '@kz/subgraph';
import type { VolunteersContext } from '../context';
import type { Certificate } from './certificate.service';

type Input = { input: unknown };
type Reference = { id: string };

/** Thin: arguments in, service call, shape out. The rules live in `CertificateService`. */
export const certificateResolvers = {
  Query: {
    // Public on purpose (办法 Art. 17): the service asks for no role, and the gateway passes anonymous callers on.
    verifyCertificate: (_: unknown, args: { number: string }, ctx: VolunteersContext) => ctx.certificates.verify(args.number),
    // Public too: the public keys, so anyone can check a signature offline.
    certificateSigningKeys: (_: unknown, __: unknown, ctx: VolunteersContext) => ctx.certificates.signingKeys(),
    certificatePdf: (_: unknown, args: { number: string }, ctx: VolunteersContext) => ctx.certificates.pdf(args.number),
  },
  Mutation: {
    issueServiceCertificate: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.certificates.issue(args.input),
    revokeServiceCertificate: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.certificates.revoke(args.input),
  },
  PracticeUnit: {
    serviceCertificates: (unit: Reference, args: PageArgs, ctx: VolunteersContext) => ctx.certificates.register(unit.id, args),
  },
  ServiceCertificate: {
    unit: (certificate: Certificate) => ({ __typename: 'PracticeUnit', id: certificate.unitId }),
    signedDocument: (certificate: Certificate, _: unknown, ctx: VolunteersContext) => ctx.certificates.signedDocument(certificate),
    signatureValid: (certificate: Certificate, _: unknown, ctx: VolunteersContext) => ctx.certificates.signatureValid(certificate),
  },
};
