import { BadUserInput, DomainError, Locale } from '@kz/errors';
import { findService, Open311Service, OPEN311_SERVICES } from './services';

/** A refusal in the GeoReport v2 error format, with the HTTP status the spec gives it (400, 403, 404). */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly error: DomainError,
  ) {
    super(error.message);
  }
}

/** `[{"code": 400, "description": "…"}]`: the spec's error list, the description in the caller's language. */
export function errorBody(status: number, description: string): { code: number; description: string }[] {
  return [{ code: status, description }];
}

export function open311Error(error: Open311Error, locale: Locale): { code: number; description: string }[] {
  return errorBody(error.status, error.error.localizedMessage(locale));
}

const badInput = (field: string, problem: ConstructorParameters<typeof BadUserInput>[1]) => new Open311Error(400, new BadUserInput(field, problem));

/** The order as the facade reads it from the graph (`ORDER_FIELDS` in operations.ts). */
export interface FacadeOrder {
  id: string;
  code: string;
  category: string;
  title: string;
  description: string | null;
  address: string | null;
  location: { lat: number; lng: number } | null;
  photos: string[];
  status: string;
  createdAt: string;
  updatedAt: string;
  deadlines: { deliverBy: string | null };
  station: { name: string } | null;
  placedBy: { id: string } | null;
  timeline: { action: string; note: string | null; at: string }[];
}

/** One service request as GET requests.json and GET requests/{id}.json answer it (every field of the spec). */
export interface ServiceRequest {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string | null;
  agency_responsible: string;
  service_notice: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: null;
  zipcode: null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

/** Orders still being served are open; delivered (until an evaluation of NO reopens them), evaluated, closed or cancelled ones are closed. */
const OPEN_STATUSES = new Set(['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'IN_PROGRESS']);

export function open311Status(status: string): 'open' | 'closed' {
  return OPEN_STATUSES.has(status) ? 'open' : 'closed';
}

/** What each timeline action says to the resident (`status_notes`), followed by the line's note when it has one. */
const ACTION_NOTES: Record<string, string> = {
  SUBMITTED: '已受理，等待派单',
  DISPATCHED: '已派单至实践站',
  ACCEPTED: '实践站已接单',
  RETURNED: '实践站已退回，等待重新派单',
  ASSIGNED: '已安排志愿者',
  STARTED: '志愿者正在服务',
  DELIVERED: '服务已完成',
  EVALUATED: '已评价',
  REOPENED: '评价为未解决，已重新办理',
  CLOSED: '已办结',
  CANCELLED: '已取消',
  FOLLOWED_UP: '已收到催办',
  ESCALATED: '已超时，已督办',
  LEDGER_UPDATED: '需求台账已更新',
};

export function statusNotes(timeline: FacadeOrder['timeline']): string | null {
  const latest = timeline[timeline.length - 1];
  if (!latest) return null;
  const said = ACTION_NOTES[latest.action] ?? latest.action;
  return latest.note ? `${said}：${latest.note}` : said;
}

/** A time as ISO 8601 with Beijing's offset, as the spec asks (`2026-12-07T15:26:08+08:00`). */
export function beijingIso(value: string | Date): string {
  const ms = new Date(value).getTime();
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

export function serviceNotice(code: string): string {
  return `已受理，订单编号 ${code}。可凭编号或 service_request_id 查询办理进度。`;
}

export function toServiceRequest(order: FacadeOrder, centerName: string): ServiceRequest {
  const service = findService(order.category);
  const status = open311Status(order.status);
  return {
    service_request_id: order.id,
    status,
    status_notes: statusNotes(order.timeline),
    service_name: service?.service_name ?? order.category,
    service_code: order.category,
    description: order.description ?? order.title,
    agency_responsible: order.station?.name ?? centerName,
    service_notice: serviceNotice(order.code),
    requested_datetime: beijingIso(order.createdAt),
    updated_datetime: beijingIso(order.updatedAt),
    expected_datetime: status === 'open' && order.deadlines.deliverBy ? beijingIso(order.deadlines.deliverBy) : null,
    address: order.address,
    address_id: null,
    zipcode: null,
    lat: order.location?.lat ?? null,
    long: order.location?.lng ?? null,
    media_url: order.photos[0] ?? null,
  };
}

/** Request parameters: the query string, then the body (form-encoded or JSON) over it. Only the first of repeated names counts. */
export type Params = Map<string, string>;

export function paramsOf(search: URLSearchParams, body?: Record<string, unknown> | URLSearchParams): Params {
  const params: Params = new Map();
  const put = (name: string, value: string) => {
    if (!params.has(name)) params.set(name, value);
  };
  const fromBody: [string, string][] = [];
  if (body instanceof URLSearchParams) {
    for (const [name, value] of body) fromBody.push([name, value]);
  } else if (body) {
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fromBody.push([name, String(value)]);
    }
  }
  for (const [name, value] of fromBody) put(name, value);
  for (const [name, value] of search) put(name, value);
  return params;
}

/** A parameter with its surrounding white space removed; absent or blank is undefined. */
export function param(params: Params, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value ? value : undefined;
}

function coordinate(params: Params, name: 'lat' | 'long', max: number): number {
  const raw = param(params, name);
  if (raw === undefined) throw badInput(name, { key: 'input.required' });
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(raw)) throw badInput(name, { key: 'input.invalidFormat' });
  const value = Number(raw);
  if (value < -max || value > max) throw badInput(name, { key: 'input.outOfRange', min: -max, max });
  return value;
}

export function serviceOf(params: Params): Open311Service {
  const code = param(params, 'service_code');
  if (!code) throw badInput('service_code', { key: 'input.required' });
  const service = findService(code);
  if (!service) throw new Open311Error(400, new DomainError('BAD_USER_INPUT', 'open311.unknownService', { field: 'service_code', code }));
  return service;
}

/** The requester's name as one line: family name first for Chinese names, given name first otherwise. */
function requesterName(params: Params): string {
  const first = param(params, 'first_name') ?? '';
  const last = param(params, 'last_name') ?? '';
  if (!first && !last) return '未留姓名';
  const chinese = /[\u3400-\u9fff]/.test(first + last);
  return chinese ? `${last}${first}` : [first, last].filter(Boolean).join(' ');
}

/** A mainland number as the orders subgraph takes it: `+86` or `86` in front is dropped. */
function requesterPhone(params: Params): string | null {
  const raw = param(params, 'phone');
  if (!raw) return null;
  return raw.replace(/^\+?86[\s-]?(?=1\d{10}$|1[\d\s-]{10,}$)/, '');
}

/** The first line of the description, at most 100 characters: the order's title (the service's name when there is no description). */
export function titleOf(description: string | undefined, service: Open311Service): string {
  const line = description?.split(/\r\n|\r|\n/).find((candidate) => candidate.trim() !== '')?.replace(/\s+/g, ' ').trim();
  if (!line) return service.service_name;
  const chars = Array.from(line);
  return chars.length <= 100 ? line : `${chars.slice(0, 99).join('')}…`;
}

/**
 * POST requests.json's parameters as `placeOrder`'s input, assisted mode (`channel: PHONE`, the requester as the
 * beneficiary), checked for what the spec requires: a known service_code and a location (lat and long, or
 * address_string). The orders subgraph checks the rest (lengths, phone, media_url) as for any placement.
 */
export function placeInput(params: Params): Record<string, unknown> {
  const service = serviceOf(params);
  const hasLat = param(params, 'lat') !== undefined;
  const hasLong = param(params, 'long') !== undefined;
  const address = param(params, 'address_string');
  let location: { lat: number; lng: number } | null = null;
  if (hasLat || hasLong) location = { lat: coordinate(params, 'lat', 90), lng: coordinate(params, 'long', 180) };
  else if (!address) throw new Open311Error(400, new DomainError('BAD_USER_INPUT', 'open311.location', { field: 'lat' }));
  const description = params.get('description');
  const mediaUrl = param(params, 'media_url');
  return {
    title: titleOf(description, service),
    description: description && description.trim() ? description : null,
    category: service.service_code,
    channel: 'PHONE',
    address: address ?? null,
    location,
    photos: mediaUrl ? [mediaUrl] : null,
    beneficiary: { name: requesterName(params), phone: requesterPhone(params), specialGroup: 'NONE' },
  };
}

/** The spec's names for the fields of `placeOrder`'s input, so a refusal by the orders subgraph names what the client sent. */
const FIELD_NAMES: [RegExp, string][] = [
  [/^input\.(title|description)$/, 'description'],
  [/^input\.address$/, 'address_string'],
  [/^input\.location\.lat$/, 'lat'],
  [/^input\.location\.lng$/, 'long'],
  [/^input\.location$/, 'lat'],
  [/^input\.photos(\.\d+)?$/, 'media_url'],
  [/^input\.beneficiary\.name$/, 'last_name'],
  [/^input\.beneficiary\.phone$/, 'phone'],
];

export function clientFieldName(field: string): string | undefined {
  return FIELD_NAMES.find(([pattern]) => pattern.test(field))?.[1];
}

export interface RequestFilter {
  ids: string[] | null;
  codes: Set<string> | null;
  statuses: Set<'open' | 'closed'> | null;
  start: Date;
  end: Date;
}

/** The spec's default window when no dates are given, and its suggested cap on one answer. */
export const DEFAULT_WINDOW_DAYS = 90;
export const MAX_REQUESTS = 1000;
const MAX_IDS = 100;
const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

function dateParam(params: Params, name: string): Date | undefined {
  const raw = param(params, name);
  if (raw === undefined) return undefined;
  const value = new Date(raw);
  if (!W3C_DATETIME.test(raw) || Number.isNaN(value.getTime())) throw badInput(name, { key: 'input.invalidFormat' });
  return value;
}

function listParam(params: Params, name: string): string[] | null {
  const raw = param(params, name);
  if (raw === undefined) return null;
  const values = raw.split(',').map((value) => value.trim()).filter(Boolean);
  if (values.length > MAX_IDS) throw new Open311Error(400, new DomainError('BAD_USER_INPUT', 'open311.tooMany', { field: name, max: MAX_IDS }));
  return values;
}

/** GET requests.json's filters. With `service_request_id` the others are ignored (as the spec says). */
export function requestFilter(params: Params, now: Date): RequestFilter {
  const ids = listParam(params, 'service_request_id');
  if (ids && ids.length > 0) return { ids, codes: null, statuses: null, start: new Date(0), end: now };
  const codes = listParam(params, 'service_code');
  for (const code of codes ?? []) {
    if (!findService(code)) throw new Open311Error(400, new DomainError('BAD_USER_INPUT', 'open311.unknownService', { field: 'service_code', code }));
  }
  const statuses = listParam(params, 'status');
  for (const status of statuses ?? []) {
    if (status !== 'open' && status !== 'closed') throw badInput('status', { key: 'input.invalid', detail: 'open, closed' });
  }
  const startGiven = dateParam(params, 'start_date');
  const endGiven = dateParam(params, 'end_date');
  const windowMs = DEFAULT_WINDOW_DAYS * 86_400_000;
  const end = endGiven ?? (startGiven ? new Date(Math.max(now.getTime(), startGiven.getTime())) : now);
  const start = startGiven ?? new Date(end.getTime() - windowMs);
  if (start.getTime() > end.getTime()) {
    // Only when both are given: a default never comes before the other date.
    throw badInput('end_date', { key: 'figures.rangeInverted', from: param(params, 'start_date')!, to: param(params, 'end_date')! });
  }
  return {
    ids: null,
    codes: codes && codes.length > 0 ? new Set(codes) : null,
    statuses: statuses && statuses.length > 0 ? new Set(statuses as ('open' | 'closed')[]) : null,
    start,
    end,
  };
}

export function matches(request: ServiceRequest, createdAt: Date, filter: RequestFilter): boolean {
  if (filter.codes && !filter.codes.has(request.service_code)) return false;
  if (filter.statuses && !filter.statuses.has(request.status)) return false;
  return createdAt.getTime() >= filter.start.getTime() && createdAt.getTime() <= filter.end.getTime();
}

export { OPEN311_SERVICES };
