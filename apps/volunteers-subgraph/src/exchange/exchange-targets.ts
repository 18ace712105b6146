/**
 * The systems service records are exchanged with (条例 Art. 19; 办法 Art. 4): the national system
 * (全国志愿服务信息系统), 志愿汇, and a provincial platform.
 */
export const EXCHANGE_TARGETS = ['NATIONAL', 'ZHIYUANHUI', 'PROVINCIAL'] as const;
export type ExchangeTarget = (typeof EXCHANGE_TARGETS)[number];

export const EXCHANGE_TARGET_ZH: Record<ExchangeTarget, string> = {
  NATIONAL: '全国志愿服务信息系统',
  ZHIYUANHUI: '志愿汇',
  PROVINCIAL: '省级平台',
};

/** What an external id names: a volunteer, or one service record. */
export const EXTERNAL_ENTITY_KINDS = ['VOLUNTEER', 'RECORD'] as const;
export type ExternalEntityKind = (typeof EXTERNAL_ENTITY_KINDS)[number];

/**
 * The targets a verified record is queued for. The 办法 (Art. 4) requires the national system only; 志愿汇 and the
 * provincial platform join this list when an agreement with them exists.
 */
export const PUSHED_TARGETS: readonly ExchangeTarget[] = ['NATIONAL'];

export const EXPORT_FORMATS = ['CSV', 'XLSX'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
