import type { DataSource } from 'typeorm';
import type { Photos } from '@kz/auth';
import type { SubgraphContext } from '@kz/subgraph';
import { AccountClosureService } from './accounts/account-closure.service';
import { ActivitySignUpService } from './activities/activity-signup.service';
import { ActivityService } from './activities/activity.service';
import { CertificateDocuments, CertificateService } from './certificates/certificate.service';
import { ConsentService } from './consent/consent.service';
import { ExchangeService } from './exchange/exchange.service';
import { ExportService } from './exchange/export.service';
import { createLoaders, VolunteersLoaders } from './loaders';
import { Identity, PersonService } from './people/person.service';
import type { HoursRule } from './records/hours';
import { CorrectionRequestService } from './records/correction-request.service';
import { RecordService } from './records/record.service';
import { RecordingReportService } from './records/recording-report';
import { EvaluationService } from './recognition/evaluation.service';
import { RecognitionService } from './recognition/recognition.service';
import { ServiceReadsService } from './service-reads/service-reads.service';
import { SuggestionService } from './suggestions/suggestion.service';
import { SkillService } from './volunteers/skills';
import { TeamMembershipService } from './volunteers/team-membership.service';
import { VolunteerService } from './volunteers/volunteer.service';
import { WeChatSignInService } from './wechat/wechat-sign-in.service';

export interface VolunteersContext extends SubgraphContext {
  loaders: VolunteersLoaders;
  activities: ActivityService;
  signUps: ActivitySignUpService;
  people: PersonService;
  consents: ConsentService;
  volunteers: VolunteerService;
  teamMemberships: TeamMembershipService;
  skills: SkillService;
  records: RecordService;
  corrections: CorrectionRequestService;
  recordingReports: RecordingReportService;
  suggestions: SuggestionService;
  serviceReads: ServiceReadsService;
  wechat: WeChatSignInService;
  accountClosures: AccountClosureService;
  exchange: ExchangeService;
  exports: ExportService;
  recognition: RecognitionService;
  evaluations: EvaluationService;
  certificates: CertificateService;
  photos: Photos;
  /** How minutes become hours (`SERVICE_HOURS_RULE`, records/hours.ts). */
  hoursRule: HoursRule;
}

export function buildVolunteersContext(
  base: SubgraphContext,
  dataSource: DataSource,
  identity: Identity,
  photos: Photos,
  hoursRule: HoursRule,
  certificateDocuments: CertificateDocuments,
): VolunteersContext {
  const loaders = createLoaders(dataSource.manager);
  const volunteers = new VolunteerService(dataSource, base.actor, loaders, identity.vault, () => base.eventsWritten());
  const people = new PersonService(dataSource, base.actor, loaders, identity);
  const records = new RecordService(dataSource, base.actor, loaders, () => base.eventsWritten(), photos);
  return {
    ...base,
    loaders,
    activities: new ActivityService(dataSource, base.actor, loaders, () => base.eventsWritten()),
    signUps: new ActivitySignUpService(dataSource, base.actor, loaders),
    people,
    consents: new ConsentService(dataSource, base.actor, people, identity.vault),
    volunteers,
    teamMemberships: new TeamMembershipService(dataSource, base.actor, volunteers),
    skills: new SkillService(dataSource, base.actor, loaders),
    records,
    corrections: new CorrectionRequestService(dataSource, base.actor, records, () => base.eventsWritten()),
    recordingReports: new RecordingReportService(dataSource, base.actor),
    suggestions: new SuggestionService(base.actor, loaders),
    serviceReads: new ServiceReadsService(dataSource.manager, base.actor),
    wechat: new WeChatSignInService(dataSource, base.actor, loaders, people, identity.vault, identity.wechat, () => base.eventsWritten()),
    accountClosures: new AccountClosureService(dataSource, base.actor, loaders, () => base.eventsWritten()),
    exchange: new ExchangeService(dataSource, base.actor),
    exports: new ExportService(dataSource, base.actor, hoursRule),
    recognition: new RecognitionService(dataSource, base.actor, () => base.eventsWritten()),
    evaluations: new EvaluationService(dataSource, base.actor),
    certificates: new CertificateService(dataSource, base.actor, hoursRule, certificateDocuments),
    photos,
    hoursRule,
  };
}
