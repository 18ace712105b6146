/**
 * The categories of a service order: one list for every service that meets them (the orders subgraph's enum and
 * input, the volunteers subgraph's copy of the enum, which must stay equal for composition, notification texts, the
 * demand ledger). Events carry the category as a plain string, so a consumer checks it with `isOrderCategory`.
 */
export const ORDER_CATEGORIES = [
  'SAFETY_FACILITIES',
  'ELDERLY_CARE',
  'CHILD_CARE',
  'HEALTH',
  'LEGAL',
  'ENVIRONMENT',
  'CULTURE_EDUCATION',
  'OTHER',
] as const;
export type OrderCategory = (typeof ORDER_CATEGORIES)[number];

export function isOrderCategory(value: unknown): value is OrderCategory {
  return typeof value === 'string' && (ORDER_CATEGORIES as readonly string[]).includes(value);
}

/** The Chinese name of each category, as residents and staff read it. */
export const ORDER_CATEGORY_ZH: Record<OrderCategory, string> = {
  SAFETY_FACILITIES: '安全隐患与设施',
  ELDERLY_CARE: '助老',
  CHILD_CARE: '关爱未成年人',
  HEALTH: '医疗健康',
  LEGAL: '法律服务',
  ENVIRONMENT: '环境整治',
  CULTURE_EDUCATION: '文化教育',
  OTHER: '其他',
};
