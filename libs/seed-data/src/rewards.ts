import type { SeedProfile } from './types';

/** A reward a station publishes in the love bank (爱心兑换). Natural key: `key` (the reward's external key). */
export interface SeedReward {
  key: string;
  name: string;
  description: string;
  kind: 'GOODS' | 'SERVICE';
  /** Points per item. */
  price: number;
  stationCode: string;
  /** Items in stock when first seeded (goods); null for a service. */
  stock: number | null;
  /** How many one person may redeem per period; null for no limit. */
  perPersonLimit: { count: number; period: 'DAY' | 'WEEK' | 'MONTH' | 'YEAR' } | null;
}

const YINGBIN = 'KZ-HANFENG-YINGBIN';
const YONGXIAN = 'KZ-YUNFENG-YONGXIAN';
const PICKUP_YINGBIN = '兑换日在迎宾社区新时代文明实践站凭取货码领取';
const PICKUP_YONGXIAN = '兑换日在永先社区新时代文明实践站凭取货码领取';

/**
 * The goods and services the report's stations exchange points for: rice, cooking oil, dish soap and laundry
 * detergent, and a service (服务与实物、服务与服务). Prices are ours (the report gives none), set against the default
 * earning rule of 10 points per verified hour: a 5 kg bag of rice is 20 hours of service.
 */
const REWARDS: SeedReward[] = [
  { key: `R-${YINGBIN}-RICE-5KG`, name: '大米（5公斤）', description: PICKUP_YINGBIN, kind: 'GOODS', price: 200, stationCode: YINGBIN, stock: 50, perPersonLimit: { count: 2, period: 'MONTH' } },
  { key: `R-${YINGBIN}-OIL-5L`, name: '食用油（5升）', description: PICKUP_YINGBIN, kind: 'GOODS', price: 300, stationCode: YINGBIN, stock: 40, perPersonLimit: { count: 2, period: 'MONTH' } },
  { key: `R-${YINGBIN}-DISH-SOAP`, name: '洗洁精（1.5公斤）', description: PICKUP_YINGBIN, kind: 'GOODS', price: 60, stationCode: YINGBIN, stock: 100, perPersonLimit: null },
  { key: `R-${YINGBIN}-DETERGENT`, name: '洗衣液（2公斤）', description: PICKUP_YINGBIN, kind: 'GOODS', price: 80, stationCode: YINGBIN, stock: 100, perPersonLimit: null },
  {
    key: `R-${YINGBIN}-HOME-HELP`,
    name: '上门助老服务（1小时）',
    description: '志愿者上门帮做家务、陪伴聊天，兑换后由迎宾社区实践站派单',
    kind: 'SERVICE',
    price: 100,
    stationCode: YINGBIN,
    stock: null,
    perPersonLimit: null,
  },
  { key: `R-${YONGXIAN}-RICE-5KG`, name: '大米（5公斤）', description: PICKUP_YONGXIAN, kind: 'GOODS', price: 200, stationCode: YONGXIAN, stock: 30, perPersonLimit: { count: 2, period: 'MONTH' } },
  { key: `R-${YONGXIAN}-OIL-5L`, name: '食用油（5升）', description: PICKUP_YONGXIAN, kind: 'GOODS', price: 300, stationCode: YONGXIAN, stock: 20, perPersonLimit: { count: 2, period: 'MONTH' } },
];

/** The rewards of a profile: the same in both (kaizhou contains every demo record), at 迎宾社区 and 永先社区. */
export function rewardsDataset(profile: SeedProfile): SeedReward[] {
  void profile;
  return REWARDS.map((reward) => ({ ...reward, perPersonLimit: reward.perPersonLimit && { ...reward.perPersonLimit } }));
}
