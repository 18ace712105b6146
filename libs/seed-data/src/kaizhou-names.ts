/**
 * Names behind the Kaizhou (开州区) seed data. Place names are real where the source article or the official
 * division list gives them; everything else (generated station names, contact people) is fictitious.
 */

export type InstituteKind = 'STREET' | 'TOWN' | 'TOWNSHIP';

export interface KnownStation {
  /** Code segment after the institute code, e.g. `YINGBIN` → `KZ-HANFENG-YINGBIN`. */
  key: string;
  name: string;
}

export interface InstituteSpec {
  /** Pinyin code segment, e.g. `HANFENG` → `KZ-HANFENG`. */
  key: string;
  /** The street/town/township name, e.g. `汉丰街道`. */
  place: string;
  kind: InstituteKind;
  /** Approximate seat of the street/town government (hand-placed, not surveyed). */
  lat: number;
  lng: number;
  /** How many stations (实践站) the institute has: a fictitious split (streets a bit more), adding up to 535. */
  stationCount: number;
  /** Stations named in the source article; they come first, generated ones fill up to `stationCount`. */
  knownStations: readonly KnownStation[];
}

export const CENTER = {
  code: 'KZ',
  name: '开州区新时代文明实践中心',
  place: '',
  lat: 31.1608,
  lng: 108.3933,
} as const;

const site = (
  key: string,
  place: string,
  kind: InstituteKind,
  lat: number,
  lng: number,
  stationCount: number,
  knownStations: readonly KnownStation[] = [],
): InstituteSpec => ({ key, place, kind, lat, lng, stationCount, knownStations });

/**
 * The 40 institutes (实践所), one per street/town of Kaizhou.
 *
 * The article speaks of "8 streets and 32 towns" (40 in all); the official division list we know has
 * 7 streets and 33 towns/townships, also 40 in all. We keep the official names and invent no eighth street,
 * so the total (40) matches the article while the street/town split is 7/33.
 *
 * Order is fixed: codes and generated data never depend on it, but the seed arrays follow it.
 */
export const INSTITUTES: readonly InstituteSpec[] = [
  // 7 streets (街道), the urban area around 31.16N 108.39E
  site('HANFENG', '汉丰街道', 'STREET', 31.1605, 108.3925, 19, [{ key: 'YINGBIN', name: '迎宾社区' }]),
  site('WENFENG', '文峰街道', 'STREET', 31.1752, 108.4105, 17),
  site('YUNFENG', '云枫街道', 'STREET', 31.1698, 108.3788, 18, [{ key: 'YONGXIAN', name: '永先社区' }]),
  site('ZHENDONG', '镇东街道', 'STREET', 31.1803, 108.4312, 15),
  site('FENGLE', '丰乐街道', 'STREET', 31.1497, 108.3698, 16),
  site('BAIHE', '白鹤街道', 'STREET', 31.1402, 108.4201, 14),
  site('ZHAOJIA', '赵家街道', 'STREET', 31.1103, 108.3302, 13),
  // 27 towns (镇)
  site('MANYUE', '满月镇', 'TOWN', 31.6205, 108.7012, 11),
  site('DADE', '大德镇', 'TOWN', 31.1498, 108.5203, 13),
  site('ZHENAN', '镇安镇', 'TOWN', 31.1302, 108.4705, 14),
  site('HOUBA', '厚坝镇', 'TOWN', 31.2301, 108.3004, 13),
  site('JINFENG', '金峰镇', 'TOWN', 31.2803, 108.2998, 12),
  site('WENQUAN', '温泉镇', 'TOWN', 31.3602, 108.5201, 14),
  site('GUOJIA', '郭家镇', 'TOWN', 31.2598, 108.5302, 14),
  site('BAIQIAO', '白桥镇', 'TOWN', 31.4003, 108.6204, 13),
  site('HEQIAN', '和谦镇', 'TOWN', 31.4502, 108.5497, 12),
  site('HEYAN', '河堰镇', 'TOWN', 31.2704, 108.4302, 13),
  site('DAJIN', '大进镇', 'TOWN', 31.5498, 108.5803, 12),
  site('TANJIA', '谭家镇', 'TOWN', 31.3301, 108.6198, 13),
  site('DUNHAO', '敦好镇', 'TOWN', 31.3203, 108.3801, 14),
  site('GAOQIAO', '高桥镇', 'TOWN', 31.4202, 108.4503, 12),
  site('JIULONGSHAN', '九龙山镇', 'TOWN', 31.2002, 108.6004, 13),
  site('TIANHE', '天和镇', 'TOWN', 31.2198, 108.2302, 12),
  site('ZHONGHE', '中和镇', 'TOWN', 31.0802, 108.2503, 14),
  site('YIHE', '义和镇', 'TOWN', 31.0301, 108.3002, 13),
  site('LINJIANG', '临江镇', 'TOWN', 31.1003, 108.1801, 14),
  site('ZHUXI', '竹溪镇', 'TOWN', 31.0202, 108.4004, 13),
  site('TIEQIAO', '铁桥镇', 'TOWN', 31.0003, 108.4802, 14),
  site('NANYA', '南雅镇', 'TOWN', 31.0501, 108.5498, 13),
  site('WUSHAN', '巫山镇', 'TOWN', 31.1204, 108.6201, 12),
  site('YUEXI', '岳溪镇', 'TOWN', 30.9802, 108.2203, 14),
  site('CHANGSHA', '长沙镇', 'TOWN', 30.9303, 108.4001, 14),
  site('NANMEN', '南门镇', 'TOWN', 31.0502, 108.3503, 13),
  site('QUKOU', '渠口镇', 'TOWN', 31.1202, 108.2798, 12),
  // 6 townships (乡)
  site('GUANMIAN', '关面乡', 'TOWNSHIP', 31.5803, 108.4802, 10),
  site('BAIQUAN', '白泉乡', 'TOWNSHIP', 31.5002, 108.4203, 12),
  site('MALIU', '麻柳乡', 'TOWNSHIP', 31.5001, 108.6502, 13),
  site('ZISHUI', '紫水乡', 'TOWNSHIP', 31.4503, 108.7201, 12),
  site('SANHUIKOU', '三汇口乡', 'TOWNSHIP', 31.3802, 108.7803, 11),
  site('WUTONG', '五通乡', 'TOWNSHIP', 30.9502, 108.5201, 14),
];

/** The demonstration institute (示范所) named in the article. */
export const DEMONSTRATION_INSTITUTE_KEY = 'MANYUE';

/**
 * The 12 demonstration stations (示范站). The article names only 汉丰街道迎宾社区; the other 11 are the
 * first generated station of a spread of streets and towns (a fictitious but fixed choice).
 */
export const DEMONSTRATION_STATION_CODES: readonly string[] = [
  'KZ-HANFENG-YINGBIN',
  'KZ-WENFENG-S001',
  'KZ-ZHENDONG-S001',
  'KZ-FENGLE-S001',
  'KZ-BAIHE-S001',
  'KZ-MANYUE-S001',
  'KZ-DADE-S001',
  'KZ-ZHENAN-S001',
  'KZ-HOUBA-S001',
  'KZ-WENQUAN-S001',
  'KZ-LINJIANG-S001',
  'KZ-NANMEN-S001',
];

/** The demonstration point (示范点) named in the article, placed under 汉丰街道迎宾社区. */
export const POINT = {
  parentCode: 'KZ-HANFENG-YINGBIN',
  key: 'GUOXUEYUAN',
  place: '开州国学院',
  name: '开州国学院新时代文明实践点',
} as const;

/** Syllables of generated community names (社区, under streets): first + second + `社区`. */
export const COMMUNITY_SYLLABLES = {
  first: ['滨', '盛', '安', '康', '和', '平', '新', '华', '兴', '文', '锦', '龙', '凤', '南', '东', '西', '北', '翠', '桂', '金', '明', '阳', '清', '汉'],
  second: ['湖', '山', '城', '苑', '园', '华', '兴', '安', '康', '河', '街', '桥', '阳', '泉', '湾', '坪', '峰', '门'],
} as const;

/** Syllables of generated village names (村, under towns and townships): first + second + `村`. */
export const VILLAGE_SYLLABLES = {
  first: ['红', '新', '长', '双', '金', '青', '石', '龙', '太', '平', '兴', '福', '高', '桂', '花', '柏', '松', '竹', '桃', '白', '水', '杨', '凤', '鹤', '三', '五', '大', '团', '永', '胜'],
  second: ['星', '光', '桥', '河', '坪', '湾', '坝', '林', '山', '岭', '溪', '塘', '岩', '园', '丰', '坡', '垭', '田', '树', '台', '岗', '井', '堰', '沟'],
} as const;

/** Surnames of fictitious contact people (common ones, including some frequent in Kaizhou such as 冉, 向, 谭). */
export const SURNAMES: readonly string[] = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭',
  '马', '罗', '梁', '宋', '郑', '谢', '唐', '冉', '向', '谭', '邓', '曾', '彭', '熊', '蒋', '余', '袁', '汪',
];

/** Given-name characters of fictitious contact people; a given name has one or two of them. */
export const GIVEN_NAME_CHARS: readonly string[] = [
  '明', '华', '丽', '芳', '军', '勇', '静', '敏', '燕', '涛', '强', '磊', '霞', '平', '刚', '杰', '娟', '艳',
  '伟', '红', '英', '波', '琴', '兰', '林', '鹏', '晓', '建', '国', '春', '秀', '玉', '文', '海', '云', '志',
];

/** People named in the article; generated contact names never reproduce them. */
export const REAL_PEOPLE: readonly string[] = ['何毅', '曾丽', '祁俊'];

/** Three-digit prefixes of generated mobile numbers (all of the form 1[3-9]x). */
export const MOBILE_PREFIXES: readonly string[] = [
  '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '157', '158', '159', '166',
  '173', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '199',
];

export const CORPS_NAME = '明德帅乡志愿服务总队';

/**
 * Specialties of the 17 direct teams (直属队伍). The first four are named in the article; 文艺轻骑兵 is the
 * "art light cavalry" volunteer service the article describes at the center; the rest are plausible additions.
 */
export const DIRECT_TEAM_SPECIALTIES: readonly string[] = [
  '理论政策', '春泥护花', '守护健康', '法润万家', '文艺轻骑兵', '文明交通', '生态环保', '科技科普', '助老敬老',
  '应急救援', '心理关爱', '邻里互助', '移风易俗', '助残扶弱', '网络文明', '平安巡防', '体育健身',
];

/** The six lecture themes (六讲). */
export const LECTURE_THEMES: readonly string[] = ['讲理论', '讲政策', '讲法律', '讲科技', '讲健康', '讲典型'];
