import { isOrderCategory, ORDER_CATEGORY_ZH } from '@kz/events';

/**
 * The 小区 an address names, without what comes before it (city, district, street, number) or after it (building,
 * unit, door): `开州区汉丰街道迎宾大道88号腾龙小区3栋2单元501` gives `腾龙小区`. Taken only where the name's start is
 * certain — the address's start, a separator, a digit or 号 before it — since 市区县街道路巷弄 may end a street or
 * begin a name (`和平街道口小区`): a record's place must be true (办法 Art. 3), so an uncertain name gives null and the
 * place is the station's alone.
 */
export function communityOf(address: string | null): string | null {
  const match = /(?:^|[\s,，、;；:：()（）0-9号])([^\s,，、;；:：()（）市区县街道路巷弄号0-9]{1,20}小区)/u.exec(address ?? '');
  return match ? match[1]! : null;
}

/**
 * 办法 Art. 7 服务地点 of the records made from a delivered order. The order's address is the resident's home, personal
 * data the volunteer and the staff who read the record need not see there: the place is the station's name, with
 * the 小区 of the address when it names one (`迎宾社区服务站（幸福小区）`). Null without a station name.
 */
export function orderRecordPlace(stationName: string | null, address: string | null): string | null {
  if (!stationName) return null;
  const community = communityOf(address);
  return community ? `${stationName}（${community}）` : stationName;
}

/** 办法 Art. 7 服务内容 of the records made from a delivered order: the category's Chinese name and the order's title. */
export function orderRecordContent(category: string, title: string): string {
  const kind = isOrderCategory(category) ? ORDER_CATEGORY_ZH[category] : null;
  const what = title.trim();
  if (!kind) return what;
  return what ? `${kind}：${what}` : kind;
}
