/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Which activities to list. */
export type ActivityFilter = {
  /** This category. */
  category?: string | number | null | undefined;
  /** Starting at or after. */
  from?: string | null | undefined;
  /** Title contains this text. */
  search?: string | null | undefined;
  /** This status (staff may list drafts of their subtree). */
  status?: ActivityStatus | null | undefined;
  /** Starting before. */
  to?: string | null | undefined;
  /** Organized inside this unit's subtree. */
  withinUnitId?: string | number | null | undefined;
};

export type ActivityIdInput = {
  /** The activity. */
  activityId: string | number;
};

/** Where an activity happens. */
export type ActivityPlaceInput = {
  /** Check-in radius in metres, 10–5000. */
  checkInRadiusMeters: number;
  /** Its location. */
  location: GeoPointInput;
  /** Name of the place. */
  name: string;
};

/** Life of an activity. */
export type ActivityStatus =
  /** Called off, with a reason. */
  | 'CANCELLED'
  /** Took place; no-shows are marked. */
  | 'DONE'
  /** Being prepared; not visible to volunteers. */
  | 'DRAFT'
  /** Open for sign-up. */
  | 'PUBLISHED';

export type AssignVolunteersInput = {
  /** The order. */
  orderId: string | number;
  /** Volunteers of the station (replaces the current assignment), 1–20. */
  volunteerIds: Array<string | number>;
};

/** Someone registered by staff who has no account yet (e.g. an elderly resident without a smartphone). */
export type AssistedPersonInput = {
  /** Birth date `YYYY-MM-DD`; read from a resident ID or residence permit, required for the other document types. */
  birthDate?: string | null | undefined;
  /** The type of `idNumber`'s document; RESIDENT_ID when omitted. */
  documentType?: DocumentType | null | undefined;
  /** Sex; read from a resident ID or residence permit, required for the other document types. */
  gender?: Gender | null | undefined;
  /** Identity document number (checked against `documentType`, stored sealed). */
  idNumber: string;
  /** Mobile number, if they have one. */
  mobile?: string | null | undefined;
  /** Real name. */
  realName: string;
};

/** A weekly window of availability. */
export type AvailabilityWindowInput = {
  /** Day of week, 1 (Monday) to 7 (Sunday). */
  dayOfWeek: number;
  /** End, `HH:MM`, after the start. */
  end: string;
  /** Start, `HH:MM`. */
  start: string;
};

/** Who the service is for, when not the requester. */
export type BeneficiaryInput = {
  /** Name. */
  name: string;
  /** Phone, if any. */
  phone?: string | null | undefined;
  /** Special group. */
  specialGroup: SpecialGroup;
};

export type BindWeChatPhoneInput = {
  /** The code the `getPhoneNumber` button gave the mini-program (`e.detail.code`). */
  phoneCode: string;
  /** The ticket `loginWithWeChat` answered with (step BIND_PHONE). */
  ticket: string;
};

export type CancelOrderInput = {
  /** The order. */
  orderId: string | number;
  /** Why. Multi-line: line breaks and tabs are kept. */
  reason?: string | null | undefined;
};

export type CancelRedemptionInput = {
  /** The redemption. */
  redemptionId: string | number;
};

export type ChangePasswordInput = {
  /** The password in use now. */
  currentPassword: string;
  /** The new one: 8–64 characters with letters and digits. */
  newPassword: string;
};

export type CheckInOutInput = {
  /** The activity. */
  activityId: string | number;
  /** Where the volunteer is now (the phone's location). */
  location: GeoPointInput;
};

export type CompleteWeChatSignUpInput = {
  /** The station (community or village) the resident lives at. */
  homeUnitId: string | number;
  /** 18-character resident ID number, if the resident gives it; its check character is verified. */
  idNumber?: string | null | undefined;
  /** Real name as on the ID card, 1–50 characters. */
  realName: string;
  /** The ticket `bindWeChatPhone` answered with (step COMPLETE_SIGN_UP); it holds the number WeChat vouched for. */
  ticket: string;
};

/** Who gave a consent. */
export type ConsentGiver =
  /** A guardian (监护人), required under 14 (PIPL Art. 31). */
  | 'GUARDIAN'
  /** A legal representative (法定代理人), required from 14 to 17. */
  | 'LEGAL_REPRESENTATIVE'
  /** The person themself (an adult, or a minor aged 14 to 17 together with a legal representative's consent). */
  | 'SELF';

/** A consent given with a registration, or recorded on its own (`recordConsent`). */
export type ConsentInput = {
  /** When it was given (a paper form signed earlier carries its own date); now when omitted. */
  givenAt?: string | null | undefined;
  /** Who gave it; SELF when omitted. Under 14 a GUARDIAN must, from 14 to 17 a GUARDIAN or LEGAL_REPRESENTATIVE. */
  givenBy?: ConsentGiver | null | undefined;
  /** The reference of the signed paper form, e.g. its archive number: required when staff record the consent (ASSISTED). */
  paperReference?: string | null | undefined;
  /** The version of the privacy policy consented to, e.g. `2026-01`. */
  policyVersion: string;
  /** The guardian's or legal representative's name (required unless SELF). */
  representativeName?: string | null | undefined;
  /** Their relation to the person, e.g. 父亲 (required unless SELF). */
  representativeRelation?: string | null | undefined;
};

export type CorrectServiceMinutesInput = {
  /** The right number of minutes, 0–1440. */
  minutes: number;
  /** Why. Multi-line: line breaks and tabs are kept. */
  reason: string;
  /** The record. */
  recordId: string | number;
};

export type CreateActivityInput = {
  /** Places, 1–10000. */
  capacity: number;
  /** Category code. */
  category: string | number;
  /** Description. Multi-line: line breaks and tabs are kept. */
  description?: string | null | undefined;
  /** End, after the start. */
  endsAt: string;
  /** The organizing unit (in the caller's subtree). */
  organizingUnitId: string | number;
  /** Where. */
  place: ActivityPlaceInput;
  /** Skill codes a volunteer needs. */
  requiredSkills?: Array<string | number> | null | undefined;
  /** The 活动负责人 (a person); the caller when omitted. */
  responsiblePersonId?: string | number | null | undefined;
  /** Staff duty, not volunteer service (条例 Art. 19): check-outs make no service record; false when omitted. */
  staffDuty?: boolean | null | undefined;
  /** Start. */
  startsAt: string;
  /** The team that runs it. */
  teamId?: string | number | null | undefined;
  /** Title, 1–100 characters. */
  title: string;
};

export type CreateRewardInput = {
  /** Offered from. */
  activeFrom?: string | null | undefined;
  /** Offered until. */
  activeUntil?: string | null | undefined;
  /** Details. Multi-line: line breaks and tabs are kept. */
  description?: string | null | undefined;
  /** Goods or service. */
  kind: RewardKind;
  /** Period of that limit (required with it). */
  limitPeriod?: LimitPeriod | null | undefined;
  /** Name, 1–100 characters. */
  name: string;
  /** Per-person limit. */
  perPersonLimit?: number | null | undefined;
  /** Price in points, 1–1,000,000. */
  price: number;
  /** The station that offers it (in the caller's subtree); omit for district-wide (CENTER_ADMIN). */
  stationId?: string | number | null | undefined;
  /** Initial stock (goods). */
  stock?: number | null | undefined;
};

export type DecideServiceRecordCorrectionInput = {
  /** Why it is accepted or declined, told to the volunteer. Multi-line: line breaks and tabs are kept. */
  reason: string;
  /** The open request. */
  requestId: string | number;
};

export type DeliverOrderInput = {
  /** Funding spent, in yuan (需求台账). */
  fundingArranged?: number | null | undefined;
  /** Funding source. */
  fundingSource?: string | null | undefined;
  /** Minutes per assigned volunteer. */
  minutes: Array<VolunteerMinutesInput>;
  /** What was done. Multi-line: line breaks and tabs are kept. */
  note: string;
  /** The order. */
  orderId: string | number;
  /** Fully or in part. */
  outcome: OrderOutcome;
  /** Upload ids of photos the caller took as proof of service (`POST /uploads`), up to 9; they go with this delivery round. */
  photoIds?: Array<string | number> | null | undefined;
  /** Staff duty, not volunteer service (条例 Art. 19): the minutes are kept on the order, but no service records are made and no points earned; false when omitted. Station staff only: an assignee who delivers may not declare it (FORBIDDEN). */
  staffDuty?: boolean | null | undefined;
};

/** Where an outbound delivery stands. */
export type DeliveryStatus =
  /** Refused for good (e.g. a 4xx) or out of attempts: a dead letter, until staff retry it. */
  | 'DEAD'
  /** The last send failed for a reason that may pass (a 5xx, a timeout); tried again at `nextAttemptAt`. */
  | 'FAILED'
  /** Due now; the worker will send it. */
  | 'PENDING'
  /** Held until `nextAttemptAt`: quiet hours, or the recipient's hourly limit on the channel was reached. */
  | 'SCHEDULED'
  /** The gateway took it. */
  | 'SENT';

export type DispatchOrderInput = {
  /** The order (submitted, or returned). */
  orderId: string | number;
  /** The station it goes to. */
  stationId: string | number;
};

/** The type of an identity document (办法 Art. 5); the format each is checked against is in docs/records.md. */
export type DocumentType =
  /** 外国人永久居留身份证: 18 characters starting 9 with a MOD 11-2 check character (2023 card), or 3 letters and 12 digits (2017 card). */
  | 'FOREIGN_PERMANENT_RESIDENT_ID'
  /** 港澳居民居住证: 18 characters starting 810000 (Hong Kong) or 820000 (Macao), checked as a resident ID. */
  | 'HK_MACAO_RESIDENCE_PERMIT'
  /** 港澳居民来往内地通行证: H or M and 8 digits (the lifetime number), or 10 digits (with the issue count). */
  | 'HK_MACAO_TRAVEL_PERMIT'
  /** 护照: 5–20 Latin letters and digits (no public format covers every country; no check character). */
  | 'PASSPORT'
  /** 居民身份证: 18 characters, birth date and ISO 7064 MOD 11-2 check character (GB 11643). */
  | 'RESIDENT_ID'
  /** 台湾居民居住证: 18 characters starting 830000, checked as a resident ID. */
  | 'TAIWAN_RESIDENCE_PERMIT'
  /** 台湾居民来往大陆通行证: the 8-digit lifetime number, or an older 10-digit number. */
  | 'TAIWAN_TRAVEL_PERMIT';

export type EvaluateOrderInput = {
  /** Comment, up to 500 characters. Multi-line: line breaks and tabs are kept. */
  comment?: string | null | undefined;
  /** The order. */
  orderId: string | number;
  /** 1–5. */
  rating: number;
  /** Whether the need was met; NO reopens the order. */
  resolved: Resolution;
};

/** Sex, as an identity document states it. */
export type Gender =
  /** Female (女). */
  | 'F'
  /** Male (男). */
  | 'M';

/** A point on the map. */
export type GeoPointInput = {
  /** Latitude, -90 to 90. */
  lat: number;
  /** Longitude, -180 to 180. */
  lng: number;
};

/** Period of a per-person limit. */
export type LimitPeriod =
  /** A day. */
  | 'DAY'
  /** A month. */
  | 'MONTH'
  /** A week. */
  | 'WEEK'
  /** A year. */
  | 'YEAR';

/** What a live change is. */
export type LiveChangeKind =
  /** Something happened; the other fields say what. */
  | 'EVENT'
  /**
   * Changes were missed and are no longer retained (the `after` given is too old): refetch what you show, then carry on
   * with the changes that follow. Only `cursor` is set.
   */
  | 'RESYNC';

export type LoginInput = {
  /** Password. */
  password: string;
  /** Mobile number. */
  phone: string;
};

export type LoginWithWeChatInput = {
  /** The code `wx.login` gave the mini-program (valid for five minutes, once). */
  code: string;
};

/** Which of the caller's notifications to mark read: `ids`, or `all: true`. */
export type MarkNotificationsReadInput = {
  /** Mark every unread notification of the caller. */
  all?: boolean | null | undefined;
  /** Ids of the caller's notifications (1 to 500); ids of other people's are ignored. */
  ids?: Array<string | number> | null | undefined;
};

/** Where a notification can go. */
export type NotificationChannel =
  /** The in-app inbox: always on. */
  | 'INBOX'
  /** A text message, through the message gateway. */
  | 'SMS'
  /** A WeChat template message, through the message gateway. */
  | 'WECHAT';

/** What happened to an order, as its timeline shows it. */
export type OrderAction =
  /** Accepted by the station. */
  | 'ACCEPTED'
  /** Volunteers assigned. */
  | 'ASSIGNED'
  /** Cancelled. */
  | 'CANCELLED'
  /** Closed. */
  | 'CLOSED'
  /** Delivered. */
  | 'DELIVERED'
  /** Dispatched to a station. */
  | 'DISPATCHED'
  /** A deadline passed and the order was escalated. */
  | 'ESCALATED'
  /** Evaluated. */
  | 'EVALUATED'
  /** The requester followed up. */
  | 'FOLLOWED_UP'
  /** The demand ledger (需求台账) was updated. */
  | 'LEDGER_UPDATED'
  /** Reopened after an unresolved evaluation. */
  | 'REOPENED'
  /** Returned by the station to the center. */
  | 'RETURNED'
  /** Service started. */
  | 'STARTED'
  /** Reported or placed. */
  | 'SUBMITTED';

/** What kind of need an order is. */
export type OrderCategory =
  /** Care for children (关爱未成年人). */
  | 'CHILD_CARE'
  /** Culture and education (文化教育). */
  | 'CULTURE_EDUCATION'
  /** Care for the elderly (助老). */
  | 'ELDERLY_CARE'
  /** Environment (环境整治). */
  | 'ENVIRONMENT'
  /** Health (医疗健康). */
  | 'HEALTH'
  /** Legal help (法律服务). */
  | 'LEGAL'
  /** Anything else (其他). */
  | 'OTHER'
  /** Safety hazards and facilities (安全隐患与设施). */
  | 'SAFETY_FACILITIES';

/** Through which channel an order came in. */
export type OrderChannel =
  /** The platform's app. */
  | 'APP'
  /** The mini program. */
  | 'MINI_PROGRAM'
  /** In person, taken by staff. */
  | 'OFFLINE'
  /** A phone call taken by staff. */
  | 'PHONE'
  /** The WeChat official account. */
  | 'WECHAT';

/** Which orders to list; all conditions must hold. */
export type OrderFilter = {
  /** This category. */
  category?: OrderCategory | null | undefined;
  /** Submitted at or after. */
  from?: string | null | undefined;
  /** Only those past the deadline of their stage (true) or not (false). */
  overdue?: boolean | null | undefined;
  /** This source. */
  source?: OrderSource | null | undefined;
  /** This special group. */
  specialGroup?: SpecialGroup | null | undefined;
  /** This status. */
  status?: OrderStatus | null | undefined;
  /** Submitted before. */
  to?: string | null | undefined;
  /** Dispatched to a station of this unit's subtree. */
  withinUnitId?: string | number | null | undefined;
};

export type OrderIdInput = {
  /** The order. */
  orderId: string | number;
};

/** How fully an order was served. */
export type OrderOutcome =
  /** Fully. */
  | 'FULL'
  /** In part (what remains is said in the note). */
  | 'PARTIAL';

/** How an order came in. */
export type OrderSource =
  /** 巡单: found on patrol by a grid worker or community staff. */
  | 'PATROL'
  /** 点单: placed by a resident (or by staff on their behalf). */
  | 'RESIDENT';

/** A stage with a deadline. */
export type OrderStage =
  /** Being accepted by the station. */
  | 'ACCEPT'
  /** Being delivered. */
  | 'DELIVER'
  /** Being evaluated by the requester. */
  | 'EVALUATE';

/** Where a service order is in the six-order lifecycle (巡单, 点单, 派单, 接单, 送单, 评单). */
export type OrderStatus =
  /** Accepted by the station, volunteers being assigned. */
  | 'ACCEPTED'
  /** Cancelled before service. */
  | 'CANCELLED'
  /** Closed; nothing more happens. */
  | 'CLOSED'
  /** Service delivered, waiting for the resident's evaluation. */
  | 'DELIVERED'
  /** Dispatched to a station, waiting for it to accept. */
  | 'DISPATCHED'
  /** Evaluated by the resident. */
  | 'EVALUATED'
  /** Volunteers are serving. */
  | 'IN_PROGRESS'
  /** Reported or placed, waiting for the center to dispatch it. */
  | 'SUBMITTED';

export type PickupCodeInput = {
  /** The code shown by the person at pickup. */
  code: string;
};

export type PlaceOrderInput = {
  /** Address. */
  address?: string | null | undefined;
  /** Who it is for, when not the requester. */
  beneficiary?: BeneficiaryInput | null | undefined;
  /** Kind of need. */
  category: OrderCategory;
  /** Channel; staff placing on someone's behalf use PHONE or OFFLINE. */
  channel: OrderChannel;
  /** Details, up to 2000 characters. Multi-line: line breaks and tabs are kept. */
  description?: string | null | undefined;
  /** Location. */
  location?: GeoPointInput | null | undefined;
  /** Staff only (assisted mode): the person the order is placed for. */
  onBehalfOfPersonId?: string | number | null | undefined;
  /** Upload ids (`uploadId` answered by `POST /uploads`) of photos the caller uploaded, up to 9; each attaches once. */
  photoIds?: Array<string | number> | null | undefined;
  /** Photo URLs (https), up to 9. */
  photos?: Array<string> | null | undefined;
  /** The station the requester lives at (routing hint); default their home station. */
  stationHintId?: string | number | null | undefined;
  /** Short description, 1–100 characters. */
  title: string;
  /** Urgency; default NORMAL. */
  urgency?: Urgency | null | undefined;
};

/** What a ledger transaction did. */
export type PointsTransactionKind =
  /** A manual adjustment by the center, with a reason. */
  | 'ADJUSTMENT'
  /** Points earned for verified service hours. */
  | 'CREDIT'
  /** A correction of earned points after the hours were corrected. */
  | 'CREDIT_CORRECTION'
  /** Points given to a station's pool. */
  | 'DONATION'
  /** Points spent on a reward. */
  | 'REDEMPTION'
  /** The reversal of an earlier transaction. */
  | 'REVERSAL'
  /** Points passed from one person to another. */
  | 'TRANSFER';

/** Life of a ledger transaction. */
export type PointsTransactionStatus =
  /** Held (a reservation): counted in `reserved`, not yet moved. */
  | 'PENDING'
  /** Moved. */
  | 'POSTED'
  /** Released without moving. */
  | 'VOIDED';

/** What the person accepted in the mini-program's `wx.requestSubscribeMessage`. */
export type RecordWeChatSubscriptionInput = {
  /** The kinds (event types such as `order.dispatched`, or `*`) whose WeChat templates the person accepted; at least one. */
  kinds: Array<string>;
};

export type RedeemRewardInput = {
  /** A key of 8–100 characters chosen by the client for this request; a repeat returns the first result. */
  idempotencyKey: string;
  /** How many, 1–100. */
  quantity: number;
  /** The reward. */
  rewardId: string | number;
};

/** Life of a redemption. */
export type RedemptionStatus =
  /** Cancelled; points and stock returned. */
  | 'CANCELLED'
  /** Not picked up in time; points and stock returned. */
  | 'EXPIRED'
  /** Picked up; the points are spent. */
  | 'FULFILLED'
  /** Points and stock reserved; waiting for pickup. */
  | 'RESERVED';

export type RegisterVolunteerInput = {
  /** When they are usually free. */
  availability?: Array<AvailabilityWindowInput> | null | undefined;
  /**
   * The consent to the registration (and, when the person has a document number, to keeping it sealed), recorded as
   * given by the caller (SELF) or, when staff register someone, from a signed paper form (ASSISTED, `paperReference`
   * required). Required for minors: under 14 a guardian's, from 14 to 17 a legal representative's (PIPL Art. 31);
   * without it the registration of a minor is refused with BAD_USER_INPUT.
   */
  consent?: ConsentInput | null | undefined;
  /** The station the volunteer will serve at. */
  homeStationId: string | number;
  /** …or a new person without an account. */
  person?: AssistedPersonInput | null | undefined;
  /** Assisted mode (staff only): an existing person to register… */
  personId?: string | number | null | undefined;
  /** Where the volunteer lives (办法 Art. 5 居住区域), up to 100 characters. */
  residenceArea?: string | null | undefined;
  /** Activity category codes the volunteer prefers to serve in (办法 Art. 5 服务类别). */
  serviceCategories?: Array<string | number> | null | undefined;
  /** Skill codes from the taxonomy. */
  skills: Array<string | number>;
};

export type RequestServiceRecordCorrectionInput = {
  /** The minutes the volunteer believes are right, 0–1440, not the record's own. */
  minutes: number;
  /** Why. Multi-line: line breaks and tabs are kept. */
  reason: string;
  /** The volunteer's own verified record. */
  recordId: string | number;
};

/** Whether the need was met, in the requester's words. */
export type Resolution =
  /** No (the order may be reopened). */
  | 'NO'
  /** Partly. */
  | 'PARTLY'
  /** Yes. */
  | 'YES';

/** A dead letter to send again. */
export type RetryNotificationInput = {
  /** The delivery's id (from `failedNotifications`). */
  deliveryId: string | number;
};

export type ReturnOrderInput = {
  /** The order. */
  orderId: string | number;
  /** Why the station cannot take it (required). Multi-line: line breaks and tabs are kept. */
  reason: string;
};

export type ReviewVolunteerInput = {
  /** Why (required to reject or suspend). Multi-line: line breaks and tabs are kept. */
  reason?: string | null | undefined;
  /** The volunteer. */
  volunteerId: string | number;
};

/** Which rewards to list. */
export type RewardFilter = {
  /** Only those the signed-in person can afford now. */
  affordable?: boolean | null | undefined;
  /** Only those available now (default true for residents). */
  availableOnly?: boolean | null | undefined;
  /** Goods or services. */
  kind?: RewardKind | null | undefined;
  /** Offered at this station (district-wide rewards included), or at any station of this unit's subtree. */
  unitId?: string | number | null | undefined;
};

/** What a reward is. */
export type RewardKind =
  /** Daily goods, e.g. 大米, 食用油, 洗洁精; has stock. */
  | 'GOODS'
  /** A service, e.g. an hour of home help; redeeming it opens a service order. */
  | 'SERVICE';

/** A role of `shared/ROLES.md`. */
export type Role =
  /** Reads statistics of a subtree. */
  | 'ANALYST'
  /** Administers the whole district. */
  | 'CENTER_ADMIN'
  /** Dispatches orders at the center. */
  | 'DISPATCHER'
  /** A grid worker of a station: reports patrol orders, places orders for residents. */
  | 'GRID_WORKER'
  /** Administers an institute's subtree. */
  | 'INSTITUTE_ADMIN'
  /** Staff of a partner merchant (爱心商家): its offers, redemptions and statements only. */
  | 'MERCHANT'
  /** A resident: places and evaluates orders, holds points. */
  | 'RESIDENT'
  /** A worker process; never a person. */
  | 'SERVICE'
  /** Administers a station's subtree. */
  | 'STATION_ADMIN'
  /** A volunteer: signs up for activities, delivers orders. */
  | 'VOLUNTEER';

/** Where a correction request stands. */
export type ServiceRecordCorrectionStatus =
  /** Accepted: the record took the proposed minutes. */
  | 'ACCEPTED'
  /** Declined, with a reason: the record kept its minutes. */
  | 'DECLINED'
  /** Waiting for staff in scope of the record's unit. */
  | 'OPEN';

/** Which service records to list. Residents and volunteers see their own; staff their subtree. */
export type ServiceRecordFilter = {
  /** One activity's records. */
  activityId?: string | number | null | undefined;
  /** Services starting at or after. */
  from?: string | null | undefined;
  /** true: only records held for review (条例 Art. 19, `heldReason`); false: only those not held. */
  heldForReview?: boolean | null | undefined;
  /** This status. */
  status?: ServiceRecordStatus | null | undefined;
  /** Services starting before. */
  to?: string | null | undefined;
  /** One volunteer's records. */
  volunteerId?: string | number | null | undefined;
  /** Records of units inside this unit's subtree. */
  withinUnitId?: string | number | null | undefined;
};

export type ServiceRecordIdInput = {
  /** The record. */
  recordId: string | number;
};

/** Status of a service record. */
export type ServiceRecordStatus =
  /** Waiting for a station admin. */
  | 'PENDING'
  /** Rejected, with a reason. */
  | 'REJECTED'
  /** Verified; its minutes count and earn points. */
  | 'VERIFIED';

/** A channel choice for one kind of notification. */
export type SetNotificationPreferenceInput = {
  /** The channels; INBOX is added if missing (the inbox cannot be turned off). */
  channels: Array<NotificationChannel>;
  /** An event type people are notified of (e.g. `order.accepted`), or `*` for every kind without a choice of its own. */
  kind: string;
};

export type SignUpInput = {
  /** Birth date `YYYY-MM-DD`: read from a resident ID or residence permit (give it only to confirm); required for the other document types. */
  birthDate?: string | null | undefined;
  /** The type of `idNumber`'s document; RESIDENT_ID when omitted. */
  documentType?: DocumentType | null | undefined;
  /** Sex: read from a resident ID or residence permit (give it only to confirm); required for the other document types. */
  gender?: Gender | null | undefined;
  /** The station (community or village) the person lives at. */
  homeUnitId: string | number;
  /** The identity document number, checked against `documentType` (a resident ID's check character is verified); stored sealed. */
  idNumber: string;
  /** Mainland mobile number (11 digits); the login name. */
  mobile: string;
  /** 8–64 characters with letters and digits. */
  password: string;
  /** Real name as on the ID card, 1–50 characters. */
  realName: string;
};

/** Where a sign-up stands. */
export type SignUpStatus =
  /** Cancelled by the volunteer. */
  | 'CANCELLED'
  /** Checked in on site. */
  | 'CHECKED_IN'
  /** Checked out; a service record was made. */
  | 'CHECKED_OUT'
  /** Did not come. */
  | 'NO_SHOW'
  /** Holds a place. */
  | 'SIGNED_UP'
  /** Waits for a place; promoted in sign-up order when someone cancels. */
  | 'WAITLISTED';

/** A group given regular, tracked follow-up. */
export type SpecialGroup =
  /** People with disabilities (残疾人). */
  | 'DISABLED'
  /** Empty-nest elderly (空巢老人). */
  | 'EMPTY_NEST_ELDERLY'
  /** Left-behind children (留守儿童). */
  | 'LEFT_BEHIND_CHILD'
  /** None. */
  | 'NONE';

export type TransferPointsInput = {
  /** Points, a whole number from 1 to the daily limit. */
  amount: number;
  /** A key of 8–100 characters chosen by the client; a repeat returns the first result. */
  idempotencyKey: string;
  /** A note for the receiver. */
  note?: string | null | undefined;
  /** The account that receives: its id, or the love savings card number of the person (e.g. `KZ 0000 0012 34-5`, check digit verified). */
  toAccountId?: string | number | null | undefined;
  /** Or a station, to give to its pool (爱心池). */
  toStationId?: string | number | null | undefined;
};

export type UnbindWeChatInput = {
  /** The person whose WeChat account to unbind (staff in scope); omit for the signed-in person. */
  personId?: string | number | null | undefined;
};

/** Level of a practice site in the district hierarchy (阵地体系): center → institute → station → point. */
export type UnitLevel =
  /** The district New Era Civilization Practice Center (新时代文明实践中心); exactly one. */
  | 'CENTER'
  /** A practice institute (实践所) of a street (街道) or town (乡镇). */
  | 'INSTITUTE'
  /** A practice point (实践点) below a station. */
  | 'POINT'
  /** A practice station (实践站) of a village or community. */
  | 'STATION';

/** How urgent an order is; urgent ones have shorter deadlines. */
export type Urgency =
  /** Soon. */
  | 'HIGH'
  /** Can wait. */
  | 'LOW'
  /** Usual. */
  | 'NORMAL'
  /** At once (e.g. a safety hazard). */
  | 'URGENT';

/** Which volunteers to list; all conditions must hold. Staff see their subtree; others only themselves. */
export type VolunteerFilter = {
  /** Real name contains this text, or the mobile number ends with these digits (staff only). */
  search?: string | null | undefined;
  /** Having all these skills (codes). */
  skills?: Array<string | number> | null | undefined;
  /** This status. */
  status?: VolunteerStatus | null | undefined;
  /** Members of this team. */
  teamId?: string | number | null | undefined;
  /** Home station inside this unit's subtree. */
  withinUnitId?: string | number | null | undefined;
};

export type VolunteerMinutesInput = {
  /** Minutes served, 1–1440. */
  minutes: number;
  /** The volunteer (one of the assignees). */
  volunteerId: string | number;
};

/** Where a volunteer stands in the approval process. */
export type VolunteerStatus =
  /** Approved; may sign up for activities and be assigned to orders. */
  | 'ACTIVE'
  /** The person closed their account (PIPL Art. 47): for good, never assignable again; the service records stay, under the pseudonym 已注销用户. */
  | 'CLOSED'
  /** Registered, waiting for a station admin's approval. */
  | 'PENDING'
  /** Registration refused, with a reason; the person may register again. */
  | 'REJECTED'
  /** Temporarily barred from serving. */
  | 'SUSPENDED';

/** What comes after a step of signing in with WeChat. */
export type WeChatSignInStep =
  /** The WeChat account is bound to no one: call `bindWeChatPhone` with `ticket` and a `getPhoneNumber` code. */
  | 'BIND_PHONE'
  /** Nobody has the phone number yet: call `completeWeChatSignUp` with `ticket` to open a resident account. */
  | 'COMPLETE_SIGN_UP'
  /** Signed in: `session` holds the token. */
  | 'SIGNED_IN';

export type ConsoleBoardQueryVariables = Exact<{
  filter?: OrderFilter | null | undefined;
  first?: number | null | undefined;
}>;


export type ConsoleBoardQuery = { orders: { totalCount: number, edges: Array<{ node: { id: string, code: string, title: string, category: OrderCategory, status: OrderStatus, urgency: Urgency, overdue: boolean, address: string | null, createdAt: string, station: { id: string, name: string } | null } }> } };

export type ConsoleOrderQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleOrderQuery = { order: { id: string, code: string, title: string, description: string | null, category: OrderCategory, status: OrderStatus, urgency: Urgency, address: string | null, photos: Array<string>, overdue: boolean, returnCount: number, outcome: OrderOutcome | null, deliveryNote: string | null, fundingArranged: number | null, fundingSource: string | null, createdAt: string, location: { lat: number, lng: number } | null, station: { id: string, name: string } | null, assignees: Array<{ id: string, person: { realName: string } }>, minutesByVolunteer: Array<{ minutes: number, volunteer: { id: string } }>, evaluation: { rating: number, resolved: Resolution, comment: string | null } | null, timeline: Array<{ action: OrderAction, actorRole: string, note: string | null, at: string }> } | null };

export type ConsoleSuggestionsQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleSuggestionsQuery = { order: { id: string, suggestedVolunteers: Array<{ score: number, reasons: Array<string>, volunteer: { id: string, person: { realName: string } } }> } | null };

export type ConsoleVolunteeringQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleVolunteeringQuery = { volunteers: { edges: Array<{ node: { id: string, status: VolunteerStatus, verifiedHours: number, serviceCount: number, homeStation: { name: string } | null } }> }, myAccount: { id: string, cardNumber: string, balance: number, available: number } | null, redemptions: { edges: Array<{ node: { id: string, pickupCode: string | null, quantity: number, points: number, expiresAt: string, reward: { name: string }, station: { name: string } | null } }> } };

export type NotificationAddedSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type NotificationAddedSubscription = { notificationAdded: { kind: LiveChangeKind, cursor: string, unreadCount: number | null, notification: { id: string, kind: string, title: string, body: string, link: string | null, urgent: boolean, createdAt: string, readAt: string | null } | null } };

export type OrderChangedSubscriptionVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type OrderChangedSubscription = { orderChanged: { kind: LiveChangeKind, cursor: string, eventId: string | null, orderId: string | null, action: OrderAction | null, status: OrderStatus | null, stage: OrderStage | null, unitId: string | null, unitPath: string | null, onBoard: boolean | null, at: string | null } };

export type OrderBoardChangedSubscriptionVariables = Exact<{
  unitId: string | number;
  after?: string | null | undefined;
}>;


export type OrderBoardChangedSubscription = { orderBoardChanged: { kind: LiveChangeKind, cursor: string, eventId: string | null, orderId: string | null, action: OrderAction | null, status: OrderStatus | null, stage: OrderStage | null, unitId: string | null, unitPath: string | null, onBoard: boolean | null, at: string | null } };

export type InboxQueryVariables = Exact<{
  unreadOnly?: boolean | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type InboxQuery = { unreadNotificationCount: number, myNotifications: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, kind: string, title: string, body: string, link: string | null, urgent: boolean, createdAt: string, readAt: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type UnreadNotificationCountQueryVariables = Exact<{ [key: string]: never; }>;


export type UnreadNotificationCountQuery = { unreadNotificationCount: number };

export type MarkNotificationsReadMutationVariables = Exact<{
  input: MarkNotificationsReadInput;
}>;


export type MarkNotificationsReadMutation = { markNotificationsRead: number };

export type MyNotificationPreferencesQueryVariables = Exact<{ [key: string]: never; }>;


export type MyNotificationPreferencesQuery = { myNotificationPreferences: Array<{ kind: string, channels: Array<NotificationChannel>, updatedAt: string }> };

export type SetNotificationPreferenceMutationVariables = Exact<{
  input: SetNotificationPreferenceInput;
}>;


export type SetNotificationPreferenceMutation = { setNotificationPreference: { kind: string, channels: Array<NotificationChannel>, updatedAt: string } };

export type RecordWeChatSubscriptionMutationVariables = Exact<{
  input: RecordWeChatSubscriptionInput;
}>;


export type RecordWeChatSubscriptionMutation = { recordWeChatSubscription: Array<{ kind: string, channels: Array<NotificationChannel>, updatedAt: string }> };

export type FailedNotificationsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type FailedNotificationsQuery = { failedNotifications: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, channel: NotificationChannel, status: DeliveryStatus, attempts: number, lastError: string | null, address: string | null, notification: { id: string, kind: string, title: string }, recipient: { id: string, displayName: string } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type RetryNotificationMutationVariables = Exact<{
  input: RetryNotificationInput;
}>;


export type RetryNotificationMutation = { retryNotification: { id: string, status: DeliveryStatus, attempts: number } };

export type PlaceOrderMutationVariables = Exact<{
  input: PlaceOrderInput;
}>;


export type PlaceOrderMutation = { placeOrder: { id: string, code: string, status: OrderStatus, urgency: Urgency, deadlines: { acceptBy: string | null, deliverBy: string | null, evaluateBy: string | null } } };

export type OrderQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderQuery = { order: { id: string, code: string, title: string, description: string | null, category: OrderCategory, status: OrderStatus, urgency: Urgency, address: string | null, overdue: boolean, returnCount: number, outcome: OrderOutcome | null, deliveryNote: string | null, createdAt: string, station: { id: string, name: string } | null, assignees: Array<{ id: string, person: { displayName: string } }>, deadlines: { acceptBy: string | null, deliverBy: string | null, evaluateBy: string | null }, evaluation: { rating: number, resolved: Resolution, comment: string | null, evaluatedAt: string } | null, timeline: Array<{ action: OrderAction, fromStatus: OrderStatus | null, toStatus: OrderStatus | null, actorRole: string, note: string | null, at: string }> } | null };

export type MyOrdersQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MyOrdersQuery = { myOrders: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, code: string, title: string, status: OrderStatus, createdAt: string, station: { name: string } | null, evaluation: { rating: number } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type StationOrdersQueryVariables = Exact<{
  filter?: OrderFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type StationOrdersQuery = { orders: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, code: string, title: string, category: OrderCategory, status: OrderStatus, urgency: Urgency, overdue: boolean, createdAt: string, deadlines: { acceptBy: string | null, deliverBy: string | null } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type DispatchOrderMutationVariables = Exact<{
  input: DispatchOrderInput;
}>;


export type DispatchOrderMutation = { dispatchOrder: { id: string, status: OrderStatus, station: { id: string, name: string } | null, deadlines: { acceptBy: string | null } } };

export type AcceptOrderMutationVariables = Exact<{
  input: OrderIdInput;
}>;


export type AcceptOrderMutation = { acceptOrder: { id: string, status: OrderStatus, deadlines: { deliverBy: string | null }, suggestedVolunteers: Array<{ score: number, reasons: Array<string>, volunteer: { id: string, person: { displayName: string } } }> } };

export type ReturnOrderMutationVariables = Exact<{
  input: ReturnOrderInput;
}>;


export type ReturnOrderMutation = { returnOrder: { id: string, status: OrderStatus, returnCount: number } };

export type AssignVolunteersMutationVariables = Exact<{
  input: AssignVolunteersInput;
}>;


export type AssignVolunteersMutation = { assignVolunteers: { id: string, status: OrderStatus, assignees: Array<{ id: string, person: { displayName: string } }> } };

export type StartServiceMutationVariables = Exact<{
  input: OrderIdInput;
}>;


export type StartServiceMutation = { startService: { id: string, status: OrderStatus } };

export type DeliverOrderMutationVariables = Exact<{
  input: DeliverOrderInput;
}>;


export type DeliverOrderMutation = { deliverOrder: { id: string, status: OrderStatus, outcome: OrderOutcome | null, minutesByVolunteer: Array<{ minutes: number, volunteer: { id: string } }>, deadlines: { evaluateBy: string | null } } };

export type EvaluateOrderMutationVariables = Exact<{
  input: EvaluateOrderInput;
}>;


export type EvaluateOrderMutation = { evaluateOrder: { id: string, status: OrderStatus, evaluation: { rating: number, resolved: Resolution, comment: string | null, evaluatedAt: string } | null } };

export type CancelOrderMutationVariables = Exact<{
  input: CancelOrderInput;
}>;


export type CancelOrderMutation = { cancelOrder: { id: string, status: OrderStatus } };

export type UnitTreeQueryVariables = Exact<{
  rootId?: string | number | null | undefined;
  depth?: number | null | undefined;
}>;


export type UnitTreeQuery = { unitTree: { root: { id: string, name: string }, nodes: Array<{ depth: number, parentId: string | null, unit: { id: string, code: string, name: string, level: UnitLevel, isDemonstration: boolean, sevenHavesScore: number } }> } };

export type UnitQueryVariables = Exact<{
  id: string | number;
}>;


export type UnitQuery = { unit: { id: string, code: string, name: string, level: UnitLevel, address: string | null, isDemonstration: boolean, sevenHavesScore: number, parent: { id: string, name: string } | null, ancestors: Array<{ id: string, name: string, level: UnitLevel }> } | null };

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { login: { token: string, expiresAt: string, person: { id: string, displayName: string, roles: Array<Role> } } };

export type SignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type SignUpMutation = { signUp: { token: string, expiresAt: string, person: { id: string, displayName: string, roles: Array<Role> } } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, realName: string, displayName: string, mobile: string | null, roles: Array<Role>, homeUnit: { id: string, name: string } | null, staffUnit: { id: string, name: string, level: UnitLevel } | null, pointsAccount: { id: string, cardNumber: string, balance: number, available: number } | null } | null };

export type ChangePasswordMutationVariables = Exact<{
  input: ChangePasswordInput;
}>;


export type ChangePasswordMutation = { changePassword: { id: string } };

export type LoginWithWeChatMutationVariables = Exact<{
  input: LoginWithWeChatInput;
}>;


export type LoginWithWeChatMutation = { loginWithWeChat: { step: WeChatSignInStep, ticket: string | null, ticketExpiresAt: string | null, session: { token: string, expiresAt: string, person: { id: string, displayName: string, roles: Array<Role> } } | null } };

export type BindWeChatPhoneMutationVariables = Exact<{
  input: BindWeChatPhoneInput;
}>;


export type BindWeChatPhoneMutation = { bindWeChatPhone: { step: WeChatSignInStep, ticket: string | null, ticketExpiresAt: string | null, session: { token: string, expiresAt: string, person: { id: string, displayName: string, roles: Array<Role> } } | null } };

export type CompleteWeChatSignUpMutationVariables = Exact<{
  input: CompleteWeChatSignUpInput;
}>;


export type CompleteWeChatSignUpMutation = { completeWeChatSignUp: { token: string, expiresAt: string, person: { id: string, displayName: string, roles: Array<Role> } } };

export type UnbindWeChatMutationVariables = Exact<{
  input: UnbindWeChatInput;
}>;


export type UnbindWeChatMutation = { unbindWeChat: { id: string, weChatBound: boolean | null } };

export type MyAccountQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MyAccountQuery = { myAccount: { id: string, cardNumber: string, balance: number, reserved: number, available: number, lifetimeEarned: number, transactions: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, kind: PointsTransactionKind, status: PointsTransactionStatus, amount: number, description: string, createdAt: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type RewardsQueryVariables = Exact<{
  filter?: RewardFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type RewardsQuery = { rewards: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, name: string, description: string | null, kind: RewardKind, price: number, stock: number | null, perPersonLimit: number | null, limitPeriod: LimitPeriod | null, available: boolean, station: { id: string, name: string } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateRewardMutationVariables = Exact<{
  input: CreateRewardInput;
}>;


export type CreateRewardMutation = { createReward: { id: string, name: string, kind: RewardKind, price: number, stock: number | null, available: boolean } };

export type RedeemRewardMutationVariables = Exact<{
  input: RedeemRewardInput;
}>;


export type RedeemRewardMutation = { redeemReward: { id: string, status: RedemptionStatus, quantity: number, points: number, pickupCode: string | null, expiresAt: string, reward: { id: string, name: string }, station: { id: string, name: string } | null } };

export type MyRedemptionsQueryVariables = Exact<{
  status?: RedemptionStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MyRedemptionsQuery = { redemptions: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, status: RedemptionStatus, quantity: number, points: number, pickupCode: string | null, expiresAt: string, resolvedAt: string | null, reward: { id: string, name: string }, station: { name: string } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CancelRedemptionMutationVariables = Exact<{
  input: CancelRedemptionInput;
}>;


export type CancelRedemptionMutation = { cancelRedemption: { id: string, status: RedemptionStatus, resolvedAt: string | null } };

export type FulfilRedemptionMutationVariables = Exact<{
  input: PickupCodeInput;
}>;


export type FulfilRedemptionMutation = { fulfilRedemption: { id: string, status: RedemptionStatus, resolvedAt: string | null, person: { displayName: string } } };

export type TransferPointsMutationVariables = Exact<{
  input: TransferPointsInput;
}>;


export type TransferPointsMutation = { transferPoints: { id: string, kind: PointsTransactionKind, status: PointsTransactionStatus, amount: number, createdAt: string, counterparty: { cardNumber: string } | null } };

export type RegisterVolunteerMutationVariables = Exact<{
  input: RegisterVolunteerInput;
}>;


export type RegisterVolunteerMutation = { registerVolunteer: { id: string, status: VolunteerStatus, homeStation: { id: string, name: string } | null, skills: Array<{ code: string, name: string }> } };

export type ApproveVolunteerMutationVariables = Exact<{
  input: ReviewVolunteerInput;
}>;


export type ApproveVolunteerMutation = { approveVolunteer: { id: string, status: VolunteerStatus } };

export type RejectVolunteerMutationVariables = Exact<{
  input: ReviewVolunteerInput;
}>;


export type RejectVolunteerMutation = { rejectVolunteer: { id: string, status: VolunteerStatus, statusReason: string | null } };

export type VolunteerQueryVariables = Exact<{
  id: string | number;
}>;


export type VolunteerQuery = { volunteer: { id: string, status: VolunteerStatus, verifiedMinutes: number, verifiedHours: number, serviceCount: number, person: { id: string, displayName: string }, homeStation: { id: string, name: string } | null, skills: Array<{ code: string, name: string }> } | null };

export type StationVolunteersQueryVariables = Exact<{
  filter?: VolunteerFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type StationVolunteersQuery = { volunteers: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, status: VolunteerStatus, verifiedHours: number, person: { id: string, displayName: string }, skills: Array<{ code: string, name: string }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ActivitiesQueryVariables = Exact<{
  filter?: ActivityFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ActivitiesQuery = { activities: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, title: string, status: ActivityStatus, startsAt: string, endsAt: string, capacity: number, signedUpCount: number, waitlistCount: number, category: { code: string, name: string }, place: { name: string }, organizingUnit: { id: string, name: string } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateActivityMutationVariables = Exact<{
  input: CreateActivityInput;
}>;


export type CreateActivityMutation = { createActivity: { id: string, title: string, status: ActivityStatus, startsAt: string, endsAt: string, capacity: number } };

export type PublishActivityMutationVariables = Exact<{
  input: ActivityIdInput;
}>;


export type PublishActivityMutation = { publishActivity: { id: string, status: ActivityStatus } };

export type SignUpForActivityMutationVariables = Exact<{
  input: ActivityIdInput;
}>;


export type SignUpForActivityMutation = { signUpForActivity: { id: string, status: SignUpStatus, waitlistPosition: number | null } };

export type CheckInMutationVariables = Exact<{
  input: CheckInOutInput;
}>;


export type CheckInMutation = { checkIn: { id: string, status: SignUpStatus, checkedInAt: string | null, checkInDistanceMeters: number | null } };

export type CheckOutMutationVariables = Exact<{
  input: CheckInOutInput;
}>;


export type CheckOutMutation = { checkOut: { id: string, status: SignUpStatus, checkedOutAt: string | null } };

export type ServiceRecordsQueryVariables = Exact<{
  filter?: ServiceRecordFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ServiceRecordsQuery = { serviceRecords: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, status: ServiceRecordStatus, minutes: number, title: string, startedAt: string, orderId: string | null, volunteer: { id: string, person: { displayName: string } } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CorrectServiceMinutesMutationVariables = Exact<{
  input: CorrectServiceMinutesInput;
}>;


export type CorrectServiceMinutesMutation = { correctServiceMinutes: { id: string, status: ServiceRecordStatus, minutes: number } };

export type VerifyServiceRecordMutationVariables = Exact<{
  input: ServiceRecordIdInput;
}>;


export type VerifyServiceRecordMutation = { verifyServiceRecord: { id: string, status: ServiceRecordStatus, minutes: number, verifiedAt: string | null } };

export type RequestServiceRecordCorrectionMutationVariables = Exact<{
  input: RequestServiceRecordCorrectionInput;
}>;


export type RequestServiceRecordCorrectionMutation = { requestServiceRecordCorrection: { id: string, status: ServiceRecordCorrectionStatus, currentMinutes: number, proposedMinutes: number, reason: string, requestedAt: string, decidedAt: string | null, decisionReason: string | null, record: { id: string, title: string, startedAt: string, minutes: number } } };

export type AcceptServiceRecordCorrectionMutationVariables = Exact<{
  input: DecideServiceRecordCorrectionInput;
}>;


export type AcceptServiceRecordCorrectionMutation = { acceptServiceRecordCorrection: { id: string, status: ServiceRecordCorrectionStatus, currentMinutes: number, proposedMinutes: number, reason: string, requestedAt: string, decidedAt: string | null, decisionReason: string | null, record: { id: string, title: string, startedAt: string, minutes: number } } };

export type DeclineServiceRecordCorrectionMutationVariables = Exact<{
  input: DecideServiceRecordCorrectionInput;
}>;


export type DeclineServiceRecordCorrectionMutation = { declineServiceRecordCorrection: { id: string, status: ServiceRecordCorrectionStatus, currentMinutes: number, proposedMinutes: number, reason: string, requestedAt: string, decidedAt: string | null, decisionReason: string | null, record: { id: string, title: string, startedAt: string, minutes: number } } };

export type MyServiceRecordCorrectionsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MyServiceRecordCorrectionsQuery = { myServiceRecordCorrections: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, status: ServiceRecordCorrectionStatus, currentMinutes: number, proposedMinutes: number, reason: string, requestedAt: string, decidedAt: string | null, decisionReason: string | null, record: { id: string, title: string, startedAt: string, minutes: number } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type OpenServiceRecordCorrectionsQueryVariables = Exact<{
  unitId: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type OpenServiceRecordCorrectionsQuery = { unit: { id: string, openServiceRecordCorrections: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, status: ServiceRecordCorrectionStatus, currentMinutes: number, proposedMinutes: number, reason: string, requestedAt: string, decidedAt: string | null, decisionReason: string | null, record: { id: string, title: string, startedAt: string, minutes: number }, requestedBy: { id: string, displayName: string } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ConsoleBoardDocument = new TypedDocumentString(`
    query ConsoleBoard($filter: OrderFilter, $first: Int) {
  orders(filter: $filter, first: $first) {
    totalCount
    edges {
      node {
        id
        code
        title
        category
        status
        urgency
        overdue
        address
        createdAt
        station {
          id
          name
        }
      }
    }
  }
}
    `, {"hash":"sha256:b5f259d20f07ae1a6a88d34dfeff8387464c6d8a195acdd344bfc0bb0106daea"}) as unknown as TypedDocumentString<ConsoleBoardQuery, ConsoleBoardQueryVariables>;
export const ConsoleOrderDocument = new TypedDocumentString(`
    query ConsoleOrder($id: ID!) {
  order(id: $id) {
    id
    code
    title
    description
    category
    status
    urgency
    address
    photos
    overdue
    returnCount
    outcome
    deliveryNote
    fundingArranged
    fundingSource
    location {
      lat
      lng
    }
    station {
      id
      name
    }
    assignees {
      id
      person {
        realName
      }
    }
    minutesByVolunteer {
      minutes
      volunteer {
        id
      }
    }
    evaluation {
      rating
      resolved
      comment
    }
    timeline {
      action
      actorRole
      note
      at
    }
    createdAt
  }
}
    `, {"hash":"sha256:1f6debb93ffa521f9fb2deae633158325b9edd45ced07c1744bd4394938c7737"}) as unknown as TypedDocumentString<ConsoleOrderQuery, ConsoleOrderQueryVariables>;
export const ConsoleSuggestionsDocument = new TypedDocumentString(`
    query ConsoleSuggestions($id: ID!) {
  order(id: $id) {
    id
    suggestedVolunteers(first: 5) {
      score
      reasons
      volunteer {
        id
        person {
          realName
        }
      }
    }
  }
}
    `, {"hash":"sha256:37a6be248156184b8663b25ce0dc97701eb90239b21b2662e3af8d345b1f776e"}) as unknown as TypedDocumentString<ConsoleSuggestionsQuery, ConsoleSuggestionsQueryVariables>;
export const ConsoleVolunteeringDocument = new TypedDocumentString(`
    query ConsoleVolunteering {
  volunteers(first: 1) {
    edges {
      node {
        id
        status
        verifiedHours
        serviceCount
        homeStation {
          name
        }
      }
    }
  }
  myAccount {
    id
    cardNumber
    balance
    available
  }
  redemptions(filter: {mine: true, status: RESERVED}, first: 20) {
    edges {
      node {
        id
        pickupCode
        quantity
        points
        expiresAt
        reward {
          name
        }
        station {
          name
        }
      }
    }
  }
}
    `, {"hash":"sha256:4b4131e683ae2c654e620038a8a68336a6b58bb14fe4f586df2a0ad46538cb49"}) as unknown as TypedDocumentString<ConsoleVolunteeringQuery, ConsoleVolunteeringQueryVariables>;
export const NotificationAddedDocument = new TypedDocumentString(`
    subscription NotificationAdded($after: String) {
  notificationAdded(after: $after) {
    kind
    cursor
    unreadCount
    notification {
      id
      kind
      title
      body
      link
      urgent
      createdAt
      readAt
    }
  }
}
    `, {"hash":"sha256:7bb280a7caf4876a9be551acb726135a737d5e3570109aaae35f0b2474c28725"}) as unknown as TypedDocumentString<NotificationAddedSubscription, NotificationAddedSubscriptionVariables>;
export const OrderChangedDocument = new TypedDocumentString(`
    subscription OrderChanged($id: ID!, $after: String) {
  orderChanged(id: $id, after: $after) {
    kind
    cursor
    eventId
    orderId
    action
    status
    stage
    unitId
    unitPath
    onBoard
    at
  }
}
    `, {"hash":"sha256:e3dd2e9d4c3ff6d19f1253ef2d1c62145c6845895ebfb0f41ac402964720f8c6"}) as unknown as TypedDocumentString<OrderChangedSubscription, OrderChangedSubscriptionVariables>;
export const OrderBoardChangedDocument = new TypedDocumentString(`
    subscription OrderBoardChanged($unitId: ID!, $after: String) {
  orderBoardChanged(unitId: $unitId, after: $after) {
    kind
    cursor
    eventId
    orderId
    action
    status
    stage
    unitId
    unitPath
    onBoard
    at
  }
}
    `, {"hash":"sha256:efaf9763e3951e261bcf433f3546bcd2e8398053db286e1c04e67e10118b12b2"}) as unknown as TypedDocumentString<OrderBoardChangedSubscription, OrderBoardChangedSubscriptionVariables>;
export const InboxDocument = new TypedDocumentString(`
    query Inbox($unreadOnly: Boolean, $first: Int, $after: String) {
  unreadNotificationCount
  myNotifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        kind
        title
        body
        link
        urgent
        createdAt
        readAt
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:6d11348ef010105b039a26fe07a40fc5d1f1147654bda9e35a762962eea82271"}) as unknown as TypedDocumentString<InboxQuery, InboxQueryVariables>;
export const UnreadNotificationCountDocument = new TypedDocumentString(`
    query UnreadNotificationCount {
  unreadNotificationCount
}
    `, {"hash":"sha256:dcaff2ad9c68794a7528d4ec7ed97809a40f2fbb54acd15c6586b339adef7bac"}) as unknown as TypedDocumentString<UnreadNotificationCountQuery, UnreadNotificationCountQueryVariables>;
export const MarkNotificationsReadDocument = new TypedDocumentString(`
    mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input)
}
    `, {"hash":"sha256:94a5a57361176057d7e6b58fd5d89231dcf6fc8025275e8539260937ec50f06d"}) as unknown as TypedDocumentString<MarkNotificationsReadMutation, MarkNotificationsReadMutationVariables>;
export const MyNotificationPreferencesDocument = new TypedDocumentString(`
    query MyNotificationPreferences {
  myNotificationPreferences {
    kind
    channels
    updatedAt
  }
}
    `, {"hash":"sha256:3ac834342b8c6aded3090f3003799c124558043d8287804adbed3d6693772186"}) as unknown as TypedDocumentString<MyNotificationPreferencesQuery, MyNotificationPreferencesQueryVariables>;
export const SetNotificationPreferenceDocument = new TypedDocumentString(`
    mutation SetNotificationPreference($input: SetNotificationPreferenceInput!) {
  setNotificationPreference(input: $input) {
    kind
    channels
    updatedAt
  }
}
    `, {"hash":"sha256:f3e4683e8d80a648c67ac7dbf2bb253270e391fc74f985981e8678079f56e717"}) as unknown as TypedDocumentString<SetNotificationPreferenceMutation, SetNotificationPreferenceMutationVariables>;
export const RecordWeChatSubscriptionDocument = new TypedDocumentString(`
    mutation RecordWeChatSubscription($input: RecordWeChatSubscriptionInput!) {
  recordWeChatSubscription(input: $input) {
    kind
    channels
    updatedAt
  }
}
    `, {"hash":"sha256:423c88c3bd5c7054665b0f13d2f2c80b0e1a04c0b4e2803509e0fded8edfc2cc"}) as unknown as TypedDocumentString<RecordWeChatSubscriptionMutation, RecordWeChatSubscriptionMutationVariables>;
export const FailedNotificationsDocument = new TypedDocumentString(`
    query FailedNotifications($first: Int, $after: String) {
  failedNotifications(first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        channel
        status
        attempts
        lastError
        address
        notification {
          id
          kind
          title
        }
        recipient {
          id
          displayName
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:53cb9aae24718de5dd9bc05753c553d6a87398c0831bcc3557f62fed5b800dd6"}) as unknown as TypedDocumentString<FailedNotificationsQuery, FailedNotificationsQueryVariables>;
export const RetryNotificationDocument = new TypedDocumentString(`
    mutation RetryNotification($input: RetryNotificationInput!) {
  retryNotification(input: $input) {
    id
    status
    attempts
  }
}
    `, {"hash":"sha256:02989a8d2149a76439d421596ee230691a4d6fd8cee57361f5c06d491f807649"}) as unknown as TypedDocumentString<RetryNotificationMutation, RetryNotificationMutationVariables>;
export const PlaceOrderDocument = new TypedDocumentString(`
    mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    id
    code
    status
    urgency
    deadlines {
      acceptBy
      deliverBy
      evaluateBy
    }
  }
}
    `, {"hash":"sha256:8e83c30fc39dbc51dbbaa128af404190dcb0a7deb0c395f272201277b16c87df"}) as unknown as TypedDocumentString<PlaceOrderMutation, PlaceOrderMutationVariables>;
export const OrderDocument = new TypedDocumentString(`
    query Order($id: ID!) {
  order(id: $id) {
    id
    code
    title
    description
    category
    status
    urgency
    address
    overdue
    returnCount
    outcome
    deliveryNote
    station {
      id
      name
    }
    assignees {
      id
      person {
        displayName
      }
    }
    deadlines {
      acceptBy
      deliverBy
      evaluateBy
    }
    evaluation {
      rating
      resolved
      comment
      evaluatedAt
    }
    timeline {
      action
      fromStatus
      toStatus
      actorRole
      note
      at
    }
    createdAt
  }
}
    `, {"hash":"sha256:7db878507d60829ceb8ec817cbbd38351a6bda4fa5ddfd16e35276baf5df8056"}) as unknown as TypedDocumentString<OrderQuery, OrderQueryVariables>;
export const MyOrdersDocument = new TypedDocumentString(`
    query MyOrders($first: Int, $after: String) {
  myOrders(first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        code
        title
        status
        createdAt
        station {
          name
        }
        evaluation {
          rating
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:a72c56fc8a0242e352e31d309a6c2c0a23248f7e39498e19331042cd85e1b3dc"}) as unknown as TypedDocumentString<MyOrdersQuery, MyOrdersQueryVariables>;
export const StationOrdersDocument = new TypedDocumentString(`
    query StationOrders($filter: OrderFilter, $first: Int, $after: String) {
  orders(filter: $filter, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        code
        title
        category
        status
        urgency
        overdue
        createdAt
        deadlines {
          acceptBy
          deliverBy
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:f6554539904d13718918b497ce748f1b90fd9708407326919f6ea59118ab5619"}) as unknown as TypedDocumentString<StationOrdersQuery, StationOrdersQueryVariables>;
export const DispatchOrderDocument = new TypedDocumentString(`
    mutation DispatchOrder($input: DispatchOrderInput!) {
  dispatchOrder(input: $input) {
    id
    status
    station {
      id
      name
    }
    deadlines {
      acceptBy
    }
  }
}
    `, {"hash":"sha256:358b7502074e6995406b7160fef6489d55a51bd8612f209fe06d135d2f4bbb4d"}) as unknown as TypedDocumentString<DispatchOrderMutation, DispatchOrderMutationVariables>;
export const AcceptOrderDocument = new TypedDocumentString(`
    mutation AcceptOrder($input: OrderIdInput!) {
  acceptOrder(input: $input) {
    id
    status
    deadlines {
      deliverBy
    }
    suggestedVolunteers(first: 3) {
      score
      reasons
      volunteer {
        id
        person {
          displayName
        }
      }
    }
  }
}
    `, {"hash":"sha256:a3b58ff678adba62e3943f7c1d254f2134d83140efe467f4502b9d4d07026f0b"}) as unknown as TypedDocumentString<AcceptOrderMutation, AcceptOrderMutationVariables>;
export const ReturnOrderDocument = new TypedDocumentString(`
    mutation ReturnOrder($input: ReturnOrderInput!) {
  returnOrder(input: $input) {
    id
    status
    returnCount
  }
}
    `, {"hash":"sha256:75a127628be88da5484a5ec3fffce2bea53232358eed1b777b0d7bf5da5a9a2b"}) as unknown as TypedDocumentString<ReturnOrderMutation, ReturnOrderMutationVariables>;
export const AssignVolunteersDocument = new TypedDocumentString(`
    mutation AssignVolunteers($input: AssignVolunteersInput!) {
  assignVolunteers(input: $input) {
    id
    status
    assignees {
      id
      person {
        displayName
      }
    }
  }
}
    `, {"hash":"sha256:f3e5c2273c8fd16fe37511f1da4c55ef3703511c40bf235b68b95379eab32a31"}) as unknown as TypedDocumentString<AssignVolunteersMutation, AssignVolunteersMutationVariables>;
export const StartServiceDocument = new TypedDocumentString(`
    mutation StartService($input: OrderIdInput!) {
  startService(input: $input) {
    id
    status
  }
}
    `, {"hash":"sha256:e8f49760abed1a2644dfbf88e07fbf2f168e207ab881b59fec89f8b480fe4306"}) as unknown as TypedDocumentString<StartServiceMutation, StartServiceMutationVariables>;
export const DeliverOrderDocument = new TypedDocumentString(`
    mutation DeliverOrder($input: DeliverOrderInput!) {
  deliverOrder(input: $input) {
    id
    status
    outcome
    minutesByVolunteer {
      minutes
      volunteer {
        id
      }
    }
    deadlines {
      evaluateBy
    }
  }
}
    `, {"hash":"sha256:3e61578cfc7fd9ae05294ca29b7f04ec9b59e4bb1d71f2c385e30eb5a1aece1d"}) as unknown as TypedDocumentString<DeliverOrderMutation, DeliverOrderMutationVariables>;
export const EvaluateOrderDocument = new TypedDocumentString(`
    mutation EvaluateOrder($input: EvaluateOrderInput!) {
  evaluateOrder(input: $input) {
    id
    status
    evaluation {
      rating
      resolved
      comment
      evaluatedAt
    }
  }
}
    `, {"hash":"sha256:794cf81d2a83e7e4671505a500b5bad47193713b04bc648d69fe070d5249c0c3"}) as unknown as TypedDocumentString<EvaluateOrderMutation, EvaluateOrderMutationVariables>;
export const CancelOrderDocument = new TypedDocumentString(`
    mutation CancelOrder($input: CancelOrderInput!) {
  cancelOrder(input: $input) {
    id
    status
  }
}
    `, {"hash":"sha256:30a96bd8219c2d7a9f8d934f2e5dfe1ea089fb0e1667b7d368e8447079b81f37"}) as unknown as TypedDocumentString<CancelOrderMutation, CancelOrderMutationVariables>;
export const UnitTreeDocument = new TypedDocumentString(`
    query UnitTree($rootId: ID, $depth: Int) {
  unitTree(rootId: $rootId, depth: $depth) {
    root {
      id
      name
    }
    nodes {
      depth
      parentId
      unit {
        id
        code
        name
        level
        isDemonstration
        sevenHavesScore
      }
    }
  }
}
    `, {"hash":"sha256:7e3a21cc9b8207994374a2fca86515a96b3fd12cf8c327f29b335642f15c01ae"}) as unknown as TypedDocumentString<UnitTreeQuery, UnitTreeQueryVariables>;
export const UnitDocument = new TypedDocumentString(`
    query Unit($id: ID!) {
  unit(id: $id) {
    id
    code
    name
    level
    address
    isDemonstration
    sevenHavesScore
    parent {
      id
      name
    }
    ancestors {
      id
      name
      level
    }
  }
}
    `, {"hash":"sha256:8e9110921122de0c8ddf7736c6109e3bd2cfc79f147ecb572a0cc2973e083c64"}) as unknown as TypedDocumentString<UnitQuery, UnitQueryVariables>;
export const LoginDocument = new TypedDocumentString(`
    mutation Login($input: LoginInput!) {
  login(input: $input) {
    token
    expiresAt
    person {
      id
      displayName
      roles
    }
  }
}
    `, {"hash":"sha256:8f2abb167e436cd0b62670c676eac9d40b3efbb0e5773ac1c1ba05e6417b7245"}) as unknown as TypedDocumentString<LoginMutation, LoginMutationVariables>;
export const SignUpDocument = new TypedDocumentString(`
    mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    token
    expiresAt
    person {
      id
      displayName
      roles
    }
  }
}
    `, {"hash":"sha256:dc9f0b5e03f7f2d1d6e30a82b324780912e627dd31c5724e453a97874fd2eb76"}) as unknown as TypedDocumentString<SignUpMutation, SignUpMutationVariables>;
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    id
    realName
    displayName
    mobile
    roles
    homeUnit {
      id
      name
    }
    staffUnit {
      id
      name
      level
    }
    pointsAccount {
      id
      cardNumber
      balance
      available
    }
  }
}
    `, {"hash":"sha256:1bc31135e87661b4227e7709664d87be8a434589607e9c48043bf5bc83aa2918"}) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const ChangePasswordDocument = new TypedDocumentString(`
    mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) {
    id
  }
}
    `, {"hash":"sha256:c034c981c8453c7e0bbded5fd097b811a219f1574a4cfa70991e50a6bc4664d2"}) as unknown as TypedDocumentString<ChangePasswordMutation, ChangePasswordMutationVariables>;
export const LoginWithWeChatDocument = new TypedDocumentString(`
    mutation LoginWithWeChat($input: LoginWithWeChatInput!) {
  loginWithWeChat(input: $input) {
    step
    ticket
    ticketExpiresAt
    session {
      token
      expiresAt
      person {
        id
        displayName
        roles
      }
    }
  }
}
    `, {"hash":"sha256:c621d1f37d10b86ecf975223ac6e4dd7e14582a3c9beb623bae0a32620ac3ba1"}) as unknown as TypedDocumentString<LoginWithWeChatMutation, LoginWithWeChatMutationVariables>;
export const BindWeChatPhoneDocument = new TypedDocumentString(`
    mutation BindWeChatPhone($input: BindWeChatPhoneInput!) {
  bindWeChatPhone(input: $input) {
    step
    ticket
    ticketExpiresAt
    session {
      token
      expiresAt
      person {
        id
        displayName
        roles
      }
    }
  }
}
    `, {"hash":"sha256:8d2c19036c15faa3aec2fec83845889e766577ad15393afec012b9b629ea63b3"}) as unknown as TypedDocumentString<BindWeChatPhoneMutation, BindWeChatPhoneMutationVariables>;
export const CompleteWeChatSignUpDocument = new TypedDocumentString(`
    mutation CompleteWeChatSignUp($input: CompleteWeChatSignUpInput!) {
  completeWeChatSignUp(input: $input) {
    token
    expiresAt
    person {
      id
      displayName
      roles
    }
  }
}
    `, {"hash":"sha256:fae5ee0cddf9dd8e13728ee241d731f8f54bfa15bbf89d733af0e80f7ae9b511"}) as unknown as TypedDocumentString<CompleteWeChatSignUpMutation, CompleteWeChatSignUpMutationVariables>;
export const UnbindWeChatDocument = new TypedDocumentString(`
    mutation UnbindWeChat($input: UnbindWeChatInput!) {
  unbindWeChat(input: $input) {
    id
    weChatBound
  }
}
    `, {"hash":"sha256:1ef5d8a4d20b1c3444677c9cafb41068ac3b33cc37b4526664566ba3cf5b0b9a"}) as unknown as TypedDocumentString<UnbindWeChatMutation, UnbindWeChatMutationVariables>;
export const MyAccountDocument = new TypedDocumentString(`
    query MyAccount($first: Int, $after: String) {
  myAccount {
    id
    cardNumber
    balance
    reserved
    available
    lifetimeEarned
    transactions(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          kind
          status
          amount
          description
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    `, {"hash":"sha256:8415831b1f965e42ef1ff7f3e8f21aa207803856c6b6bd4851121e86cd9a65ae"}) as unknown as TypedDocumentString<MyAccountQuery, MyAccountQueryVariables>;
export const RewardsDocument = new TypedDocumentString(`
    query Rewards($filter: RewardFilter, $first: Int, $after: String) {
  rewards(filter: $filter, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        name
        description
        kind
        price
        stock
        perPersonLimit
        limitPeriod
        available
        station {
          id
          name
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:7262f0b8bfc95dd122d92a59d1e7debbb37863b2739a1c5856833f9549aca255"}) as unknown as TypedDocumentString<RewardsQuery, RewardsQueryVariables>;
export const CreateRewardDocument = new TypedDocumentString(`
    mutation CreateReward($input: CreateRewardInput!) {
  createReward(input: $input) {
    id
    name
    kind
    price
    stock
    available
  }
}
    `, {"hash":"sha256:607070d34ef429520acaf0b4ab9484840e610664c4c06ea23833e9e91cb1ba1b"}) as unknown as TypedDocumentString<CreateRewardMutation, CreateRewardMutationVariables>;
export const RedeemRewardDocument = new TypedDocumentString(`
    mutation RedeemReward($input: RedeemRewardInput!) {
  redeemReward(input: $input) {
    id
    status
    quantity
    points
    pickupCode
    expiresAt
    reward {
      id
      name
    }
    station {
      id
      name
    }
  }
}
    `, {"hash":"sha256:2c4613394f911dda9d5eeb820146a8c5a177c7f00c8e20045db9033555dfd060"}) as unknown as TypedDocumentString<RedeemRewardMutation, RedeemRewardMutationVariables>;
export const MyRedemptionsDocument = new TypedDocumentString(`
    query MyRedemptions($status: RedemptionStatus, $first: Int, $after: String) {
  redemptions(filter: {mine: true, status: $status}, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        status
        quantity
        points
        pickupCode
        expiresAt
        resolvedAt
        reward {
          id
          name
        }
        station {
          name
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:8fd76545cc144748d7c65a5462dfd747466edbc21cf480af7e35163c56a54edc"}) as unknown as TypedDocumentString<MyRedemptionsQuery, MyRedemptionsQueryVariables>;
export const CancelRedemptionDocument = new TypedDocumentString(`
    mutation CancelRedemption($input: CancelRedemptionInput!) {
  cancelRedemption(input: $input) {
    id
    status
    resolvedAt
  }
}
    `, {"hash":"sha256:4df5ea7034e070821cb94225db950bc275e4511a82534ebcef86afe12586df2e"}) as unknown as TypedDocumentString<CancelRedemptionMutation, CancelRedemptionMutationVariables>;
export const FulfilRedemptionDocument = new TypedDocumentString(`
    mutation FulfilRedemption($input: PickupCodeInput!) {
  fulfilRedemption(input: $input) {
    id
    status
    resolvedAt
    person {
      displayName
    }
  }
}
    `, {"hash":"sha256:30527680356d350d1b0040e1eff86b47fc418714ec765d446961a50824483cdf"}) as unknown as TypedDocumentString<FulfilRedemptionMutation, FulfilRedemptionMutationVariables>;
export const TransferPointsDocument = new TypedDocumentString(`
    mutation TransferPoints($input: TransferPointsInput!) {
  transferPoints(input: $input) {
    id
    kind
    status
    amount
    counterparty {
      cardNumber
    }
    createdAt
  }
}
    `, {"hash":"sha256:2b550af5539d83764118e0ec6b2e4506829077b9da477df7abe201d82658438b"}) as unknown as TypedDocumentString<TransferPointsMutation, TransferPointsMutationVariables>;
export const RegisterVolunteerDocument = new TypedDocumentString(`
    mutation RegisterVolunteer($input: RegisterVolunteerInput!) {
  registerVolunteer(input: $input) {
    id
    status
    homeStation {
      id
      name
    }
    skills {
      code
      name
    }
  }
}
    `, {"hash":"sha256:29fc5b2d13623a143fd19689625b292222b6ca561c1f378897798f4b6e8e6ce6"}) as unknown as TypedDocumentString<RegisterVolunteerMutation, RegisterVolunteerMutationVariables>;
export const ApproveVolunteerDocument = new TypedDocumentString(`
    mutation ApproveVolunteer($input: ReviewVolunteerInput!) {
  approveVolunteer(input: $input) {
    id
    status
  }
}
    `, {"hash":"sha256:09db48bd8c102e14e00ffeb31c26920f2ae4ed82bedc6761935c7f724dd99efb"}) as unknown as TypedDocumentString<ApproveVolunteerMutation, ApproveVolunteerMutationVariables>;
export const RejectVolunteerDocument = new TypedDocumentString(`
    mutation RejectVolunteer($input: ReviewVolunteerInput!) {
  rejectVolunteer(input: $input) {
    id
    status
    statusReason
  }
}
    `, {"hash":"sha256:4510200ba68a61ed45319b92b9d57ef5ab37fa79e266f850ac29ff704645a92e"}) as unknown as TypedDocumentString<RejectVolunteerMutation, RejectVolunteerMutationVariables>;
export const VolunteerDocument = new TypedDocumentString(`
    query Volunteer($id: ID!) {
  volunteer(id: $id) {
    id
    status
    person {
      id
      displayName
    }
    homeStation {
      id
      name
    }
    skills {
      code
      name
    }
    verifiedMinutes
    verifiedHours
    serviceCount
  }
}
    `, {"hash":"sha256:5f74fcdd722086a6e236b96c586ed098f34fa6dc8da8941d50be7030af4f8b3e"}) as unknown as TypedDocumentString<VolunteerQuery, VolunteerQueryVariables>;
export const StationVolunteersDocument = new TypedDocumentString(`
    query StationVolunteers($filter: VolunteerFilter, $first: Int, $after: String) {
  volunteers(filter: $filter, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        status
        person {
          id
          displayName
        }
        skills {
          code
          name
        }
        verifiedHours
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:6a57b0475f09a86f69ea15481c35e5d66c56cb449ec874cf4bda662f9cf6676c"}) as unknown as TypedDocumentString<StationVolunteersQuery, StationVolunteersQueryVariables>;
export const ActivitiesDocument = new TypedDocumentString(`
    query Activities($filter: ActivityFilter, $first: Int, $after: String) {
  activities(filter: $filter, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        title
        category {
          code
          name
        }
        status
        startsAt
        endsAt
        capacity
        signedUpCount
        waitlistCount
        place {
          name
        }
        organizingUnit {
          id
          name
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:8bef79ad9bad98e182798911d767100c449588b0d328afe0d762e7e0e34fc1d0"}) as unknown as TypedDocumentString<ActivitiesQuery, ActivitiesQueryVariables>;
export const CreateActivityDocument = new TypedDocumentString(`
    mutation CreateActivity($input: CreateActivityInput!) {
  createActivity(input: $input) {
    id
    title
    status
    startsAt
    endsAt
    capacity
  }
}
    `, {"hash":"sha256:bf56224347cf7d5de245d641f62be6805a729e79289624ea6cdf64a0c7fd8001"}) as unknown as TypedDocumentString<CreateActivityMutation, CreateActivityMutationVariables>;
export const PublishActivityDocument = new TypedDocumentString(`
    mutation PublishActivity($input: ActivityIdInput!) {
  publishActivity(input: $input) {
    id
    status
  }
}
    `, {"hash":"sha256:102c36bc0bee5e55c98b4e899a2d3e453f26640c7022914a47b542e2b9344e4c"}) as unknown as TypedDocumentString<PublishActivityMutation, PublishActivityMutationVariables>;
export const SignUpForActivityDocument = new TypedDocumentString(`
    mutation SignUpForActivity($input: ActivityIdInput!) {
  signUpForActivity(input: $input) {
    id
    status
    waitlistPosition
  }
}
    `, {"hash":"sha256:9fefd0ac5a1ed97810d5c1c7c41a0b90471a2da4feba9a90783b31dc57e52b78"}) as unknown as TypedDocumentString<SignUpForActivityMutation, SignUpForActivityMutationVariables>;
export const CheckInDocument = new TypedDocumentString(`
    mutation CheckIn($input: CheckInOutInput!) {
  checkIn(input: $input) {
    id
    status
    checkedInAt
    checkInDistanceMeters
  }
}
    `, {"hash":"sha256:578906fdc478736b65657b0804905c5f1c7de16c5762b0f5f105e047a847b0c9"}) as unknown as TypedDocumentString<CheckInMutation, CheckInMutationVariables>;
export const CheckOutDocument = new TypedDocumentString(`
    mutation CheckOut($input: CheckInOutInput!) {
  checkOut(input: $input) {
    id
    status
    checkedOutAt
  }
}
    `, {"hash":"sha256:70e583e9e5c62e4052e9acd808cbf919b1ed53395c228619171d387f31d99256"}) as unknown as TypedDocumentString<CheckOutMutation, CheckOutMutationVariables>;
export const ServiceRecordsDocument = new TypedDocumentString(`
    query ServiceRecords($filter: ServiceRecordFilter, $first: Int, $after: String) {
  serviceRecords(filter: $filter, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        status
        minutes
        title
        startedAt
        orderId
        volunteer {
          id
          person {
            displayName
          }
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:d48e7bb053782232e363447def88f9616ea9c2286496212954b87b38c8fa5cbe"}) as unknown as TypedDocumentString<ServiceRecordsQuery, ServiceRecordsQueryVariables>;
export const CorrectServiceMinutesDocument = new TypedDocumentString(`
    mutation CorrectServiceMinutes($input: CorrectServiceMinutesInput!) {
  correctServiceMinutes(input: $input) {
    id
    status
    minutes
  }
}
    `, {"hash":"sha256:19d0e9b2f9f91bb6577c85f0be8f66bfc9b03e3c437a37df170b55377bbacdc0"}) as unknown as TypedDocumentString<CorrectServiceMinutesMutation, CorrectServiceMinutesMutationVariables>;
export const VerifyServiceRecordDocument = new TypedDocumentString(`
    mutation VerifyServiceRecord($input: ServiceRecordIdInput!) {
  verifyServiceRecord(input: $input) {
    id
    status
    minutes
    verifiedAt
  }
}
    `, {"hash":"sha256:de0b43d7c989f4d3dab921fbf350964d912bf600f0189d4bf0a3c7c8d700adc3"}) as unknown as TypedDocumentString<VerifyServiceRecordMutation, VerifyServiceRecordMutationVariables>;
export const RequestServiceRecordCorrectionDocument = new TypedDocumentString(`
    mutation RequestServiceRecordCorrection($input: RequestServiceRecordCorrectionInput!) {
  requestServiceRecordCorrection(input: $input) {
    id
    status
    currentMinutes
    proposedMinutes
    reason
    requestedAt
    decidedAt
    decisionReason
    record {
      id
      title
      startedAt
      minutes
    }
  }
}
    `, {"hash":"sha256:61a5ace609e1deb531cec1cae45d24a7ae20762bee5f62b4dcffa7be9eba6b56"}) as unknown as TypedDocumentString<RequestServiceRecordCorrectionMutation, RequestServiceRecordCorrectionMutationVariables>;
export const AcceptServiceRecordCorrectionDocument = new TypedDocumentString(`
    mutation AcceptServiceRecordCorrection($input: DecideServiceRecordCorrectionInput!) {
  acceptServiceRecordCorrection(input: $input) {
    id
    status
    currentMinutes
    proposedMinutes
    reason
    requestedAt
    decidedAt
    decisionReason
    record {
      id
      title
      startedAt
      minutes
    }
  }
}
    `, {"hash":"sha256:8c87caab23a7c633c372c648f2f38bc8e60c4d5e62abfbb8f6ae5b3a26bd54c3"}) as unknown as TypedDocumentString<AcceptServiceRecordCorrectionMutation, AcceptServiceRecordCorrectionMutationVariables>;
export const DeclineServiceRecordCorrectionDocument = new TypedDocumentString(`
    mutation DeclineServiceRecordCorrection($input: DecideServiceRecordCorrectionInput!) {
  declineServiceRecordCorrection(input: $input) {
    id
    status
    currentMinutes
    proposedMinutes
    reason
    requestedAt
    decidedAt
    decisionReason
    record {
      id
      title
      startedAt
      minutes
    }
  }
}
    `, {"hash":"sha256:a34b9a7d8fd0076654db1867f23e13ee71ded81179e388a2a85f2e1e5ba39198"}) as unknown as TypedDocumentString<DeclineServiceRecordCorrectionMutation, DeclineServiceRecordCorrectionMutationVariables>;
export const MyServiceRecordCorrectionsDocument = new TypedDocumentString(`
    query MyServiceRecordCorrections($first: Int, $after: String) {
  myServiceRecordCorrections(first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        status
        currentMinutes
        proposedMinutes
        reason
        requestedAt
        decidedAt
        decisionReason
        record {
          id
          title
          startedAt
          minutes
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"hash":"sha256:e2ceedccc3c25a0e7c0eb27eac5b08cce1a81ee980e0d2714af940ba717c96b5"}) as unknown as TypedDocumentString<MyServiceRecordCorrectionsQuery, MyServiceRecordCorrectionsQueryVariables>;
export const OpenServiceRecordCorrectionsDocument = new TypedDocumentString(`
    query OpenServiceRecordCorrections($unitId: ID!, $first: Int, $after: String) {
  unit(id: $unitId) {
    id
    openServiceRecordCorrections(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          status
          currentMinutes
          proposedMinutes
          reason
          requestedAt
          decidedAt
          decisionReason
          record {
            id
            title
            startedAt
            minutes
          }
          requestedBy {
            id
            displayName
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    `, {"hash":"sha256:7ff425d501540e7ab5e4973b9f81fef5f2b18b943712eb30a78f22e8f3be8dda"}) as unknown as TypedDocumentString<OpenServiceRecordCorrectionsQuery, OpenServiceRecordCorrectionsQueryVariables>;