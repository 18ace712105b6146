/**
 * The GeoReport v2 services: one per order category (`OrderCategory` of the orders subgraph), named in Chinese.
 * A spec keeps this table and the graph's enum equal (`open311.spec.ts`), so a new category cannot be left out.
 */
export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  /** No service has attributes (extra questions): GET services/{code}.json answers an empty list for each. */
  metadata: false;
  /** The request is an order at once (its id is in the POST answer), never a token to be resolved later. */
  type: 'realtime';
  keywords: string;
  group: string;
}

const service = (code: string, name: string, description: string, keywords: string[], group: string): Open311Service => ({
  service_code: code,
  service_name: name,
  description,
  metadata: false,
  type: 'realtime',
  keywords: keywords.join(','),
  group,
});

export const OPEN311_SERVICES: readonly Open311Service[] = [
  service('SAFETY_FACILITIES', '安全隐患与设施', '小区、道路和公共设施的安全隐患及损坏，例如井盖缺失、路灯不亮、电线裸露。', ['安全隐患', '设施', '路灯', '井盖'], '社区环境与安全'),
  service('ELDERLY_CARE', '助老服务', '为老年人提供的上门探访、生活照料、代购代办等志愿服务。', ['助老', '老人', '探访', '代购'], '关爱帮扶'),
  service('CHILD_CARE', '关爱未成年人', '为未成年人（特别是留守儿童）提供的课业辅导、陪伴和心理关爱。', ['儿童', '留守儿童', '课业辅导'], '关爱帮扶'),
  service('HEALTH', '医疗健康', '健康咨询、义诊、陪同就医等医疗健康类志愿服务。', ['义诊', '健康', '陪诊'], '关爱帮扶'),
  service('LEGAL', '法律服务', '法律咨询、纠纷调解等法律援助类志愿服务。', ['法律咨询', '调解'], '便民服务'),
  service('ENVIRONMENT', '环境整治', '垃圾堆放、卫生死角、绿化等人居环境整治。', ['垃圾', '卫生', '绿化'], '社区环境与安全'),
  service('CULTURE_EDUCATION', '文化教育', '文化活动、科普宣讲、技能培训等文化教育类服务。', ['文化', '科普', '培训'], '便民服务'),
  service('OTHER', '其他', '以上类别之外的其他需求。', ['其他'], '便民服务'),
];

export function findService(code: string): Open311Service | undefined {
  return OPEN311_SERVICES.find((candidate) => candidate.service_code === code);
}
