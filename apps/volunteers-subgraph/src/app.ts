import { OutboxPublishedIndex1768000000000, OutboxTraceparent1769500000000 } from '@kz/db';
import { Photos, PiiVault } from '@kz/auth';
import { openQueueBackend } from '@kz/events';
import { WeChatClient } from '@kz/wechat';
import type { Config } from '@kz/config';
import { appFile } from '@kz/http';
import { DateTimeScalar, RunningSubgraph, startSubgraphService } from '@kz/subgraph';
import type { Logger } from '@kz/telemetry';
import { buildVolunteersContext, VolunteersContext } from './context';
import { accountClosureResolvers } from './accounts/account-closure.resolver';
import { ActivitySignUp } from './activities/activity-signup.entity';
import { Activity } from './activities/activity.entity';
import { activityResolvers } from './activities/activity.resolver';
import { certificateResolvers } from './certificates/certificate.resolver';
import type { CertificateDocuments } from './certificates/certificate.service';
import { consentResolvers } from './consent/consent.resolver';
import { exchangeResolvers } from './exchange/exchange.resolver';
import { orderFeedbackHandlers } from './recognition/order-feedback.consumer';
import { recognitionResolvers } from './recognition/recognition.resolver';
import { Initial1764400000000 } from './migrations/1764400000000-initial';
import { PeopleAndLogin1764500000000 } from './migrations/1764500000000-people-and-login';
import { Volunteering1764600000000 } from './migrations/1764600000000-volunteering';
import { VolunteerRejected1764700000000 } from './migrations/1764700000000-volunteer-rejected';
import { ExternalKeys1764800000000 } from './migrations/1764800000000-external-keys';
import { OrderRounds1765170000000 } from './migrations/1765170000000-order-rounds';
import { RecordPhotos1767000000000 } from './migrations/1767000000000-record-photos';
import { RecordContentsAndConsent1767200000000 } from './migrations/1767200000000-record-contents-and-consent';
import { WorkCalendar1767300000000 } from './migrations/1767300000000-work-calendar';
import { OverdueAlerts1768800000000 } from './migrations/1768800000000-overdue-alerts';
import { startOverdueRecordsCheck } from './records/overdue-alerts';
import { CorrectionRequests1768100000000 } from './migrations/1768100000000-correction-requests';
import { AccountClosure1768500000000 } from './migrations/1768500000000-account-closure';
import { ExchangeReadiness1768310000000 } from './migrations/1768310000000-exchange-readiness';
import { NotVolunteerService1768311000000 } from './migrations/1768311000000-not-volunteer-service';
import { Recognition1768600100000 } from './migrations/1768600100000-recognition';
import { Evaluations1768600200000 } from './migrations/1768600200000-evaluations';
import { ServiceCertificates1768720000000 } from './migrations/1768720000000-service-certificates';
import { CertificateSignatures1768900000000 } from './migrations/1768900000000-certificate-signatures';
import { CertificateSigner } from './certificates/certificate-signing';
import { Leaderboards1768900100000 } from './migrations/1768900100000-leaderboards';
import { leaderboardResolvers } from './leaderboards/leaderboard.resolver';
import { orderMinutesHandlers } from './records/order-minutes.consumer';
import { CorrectionRequest } from './records/correction-request.entity';
import { ServiceRecordChange } from './records/record-change.entity';
import { ServiceRecord } from './records/record.entity';
import { recordResolvers } from './records/record.resolver';
import { Person } from './people/person.entity';
import { personResolvers } from './people/person.resolver';
import { serviceReadResolvers } from './service-reads/service-reads.resolver';
import type { Identity } from './people/person.service';
import { suggestionResolvers } from './suggestions/suggestion.resolver';
import { unitRefHandlers } from './units/unit-ref';
import { TeamMembership } from './volunteers/team-membership.entity';
import { Volunteer } from './volunteers/volunteer.entity';
import { volunteerResolvers } from './volunteers/volunteer.resolver';
import { WeChatBindings1765300000000 } from './migrations/1765300000000-wechat-bindings';
import { WeChatTickets } from './wechat/wechat-tickets';
import { wechatResolvers } from './wechat/wechat.resolver';

export { seedPeople } from './seed/people-seeder';
export { seedVolunteering } from './seed/volunteering-seeder';
export type { TeamRefSeed, VolunteeringCounts } from './seed/volunteering-seeder';

export const volunteersEntities = [Person, Volunteer, TeamMembership, Activity, ActivitySignUp, ServiceRecord, ServiceRecordChange, CorrectionRequest];
export const volunteersMigrations = [Initial1764400000000, PeopleAndLogin1764500000000, Volunteering1764600000000, VolunteerRejected1764700000000, ExternalKeys1764800000000, OrderRounds1765170000000, WeChatBindings1765300000000, RecordPhotos1767000000000, RecordContentsAndConsent1767200000000, WorkCalendar1767300000000, OutboxPublishedIndex1768000000000, CorrectionRequests1768100000000, ExchangeReadiness1768310000000, NotVolunteerService1768311000000, AccountClosure1768500000000, Recognition1768600100000, Evaluations1768600200000, ServiceCertificates1768720000000, OverdueAlerts1768800000000, CertificateSignatures1768900000000, Leaderboards1768900100000, OutboxTraceparent1769500000000];

/**
 * The volunteers subgraph: people and identity, volunteers, their stations and teams, activities and service records
 * (delivered orders' minutes among them), and the volunteers it suggests for an order.
 */
export async function startVolunteersSubgraph(config: Config, options: { port?: number; log?: Logger } = {}): Promise<RunningSubgraph> {
  // WeChat's server access token is shared with the other processes beside the queues (see @kz/wechat).
  const backend = config.WECHAT_APP_ID ? await openQueueBackend(config, { role: 'producer', log: options.log }) : null;
  const photos = new Photos(config);
  const certificateDocuments: CertificateDocuments = {
    signer: CertificateSigner.fromConfig(config),
    pdf: { fontPath: config.CERTIFICATE_FONT, fontFamily: config.CERTIFICATE_FONT_FAMILY, verifyUrl: config.CERTIFICATE_VERIFY_URL },
  };
  const identity: Identity = {
    config,
    vault: new PiiVault(config.PII_ENCRYPTION_KEY),
    wechat: {
      client:
        backend && config.WECHAT_APP_ID
          ? new WeChatClient({
              apiBase: config.WECHAT_API_BASE,
              appId: config.WECHAT_APP_ID,
              appSecret: config.WECHAT_APP_SECRET,
              timeoutMs: config.WECHAT_TIMEOUT_MS,
              redis: backend.store,
              prefix: config.QUEUE_PREFIX,
            })
          : null,
      tickets: new WeChatTickets(config.PII_ENCRYPTION_KEY, config.JWT_ISSUER, config.WECHAT_TICKET_TTL_SECONDS),
    },
  };
  let running: RunningSubgraph;
  try {
    running = await startSubgraphService<VolunteersContext>({
      name: 'volunteers',
      config,
      port: options.port ?? config.VOLUNTEERS_PORT,
      database: config.VOLUNTEERS_DATABASE,
      entities: volunteersEntities,
      migrations: volunteersMigrations,
      schemaFile: appFile(__dirname, 'schema.graphql'),
      resolvers: {
        DateTime: DateTimeScalar,
        Query: {
          ...volunteerResolvers.Query,
          ...personResolvers.Query,
          ...activityResolvers.Query,
          ...recordResolvers.Query,
          ...serviceReadResolvers.Query,
          ...exchangeResolvers.Query,
          ...recognitionResolvers.Query,
          ...certificateResolvers.Query,
        },
        Mutation: {
          ...personResolvers.Mutation,
          ...volunteerResolvers.Mutation,
          ...activityResolvers.Mutation,
          ...recordResolvers.Mutation,
          ...wechatResolvers.Mutation,
          ...consentResolvers.Mutation,
          ...accountClosureResolvers.Mutation,
          ...exchangeResolvers.Mutation,
          ...recognitionResolvers.Mutation,
          ...certificateResolvers.Mutation,
          ...leaderboardResolvers.Mutation,
        },
        Activity: activityResolvers.Activity,
        ActivitySignUp: activityResolvers.ActivitySignUp,
        ServiceRecord: { ...recordResolvers.ServiceRecord, ...exchangeResolvers.ServiceRecord, ...recognitionResolvers.ServiceRecord },
        ServiceRecordEvaluation: recognitionResolvers.ServiceRecordEvaluation,
        ServiceRecordCorrectionRequest: recordResolvers.ServiceRecordCorrectionRequest,
        Person: { ...personResolvers.Person, ...consentResolvers.Person },
        Consent: consentResolvers.Consent,
        Volunteer: { ...volunteerResolvers.Volunteer, ...exchangeResolvers.Volunteer, ...recognitionResolvers.Volunteer },
        Training: recognitionResolvers.Training,
        Award: recognitionResolvers.Award,
        ExternalId: exchangeResolvers.ExternalId,
        ExportLogEntry: exchangeResolvers.ExportLogEntry,
        VolunteerReview: volunteerResolvers.VolunteerReview,
        PracticeUnit: { ...volunteerResolvers.PracticeUnit, ...certificateResolvers.PracticeUnit, ...leaderboardResolvers.PracticeUnit },
        HoursLeaderboardEntry: leaderboardResolvers.HoursLeaderboardEntry,
        RankedPerson: leaderboardResolvers.RankedPerson,
        ServiceCertificate: certificateResolvers.ServiceCertificate,
        Team: volunteerResolvers.Team,
        ServiceOrder: suggestionResolvers.ServiceOrder,
      },
      buildContext: (base, dataSource) => buildVolunteersContext(base, dataSource, identity, photos, config.SERVICE_HOURS_RULE, certificateDocuments),
      consumers: (dataSource, log) => [
        { queue: 'volunteers-inbox', handlers: { ...unitRefHandlers(dataSource), ...orderMinutesHandlers(dataSource, log), ...orderFeedbackHandlers(dataSource) }, concurrency: 1 },
      ],
      log: options.log,
    });
  } catch (error) {
    await backend?.close();
    throw error;
  }
  // 办法 Art. 11: units are told of service records past their recording deadline, once a day (docs/records.md).
  const overdueCheck =
    config.RECORDS_OVERDUE_CHECK_MINUTES > 0
      ? startOverdueRecordsCheck(running.dataSource, config.RECORDS_OVERDUE_CHECK_MINUTES * 60_000, () => running.relay?.nudge(), running.log)
      : null;
  const stop = running.stop;
  return {
    ...running,
    stop: async () => {
      await overdueCheck?.stop();
      await stop();
      await backend?.close();
    },
  };
}
