import { isOrderCategory, ORDER_CATEGORY_ZH } from '@kz/events';

/**
 * The 小区 an address names, without what comes before it (city, district, street, number) or after it (building,
 * unit, door): `北京市朝阳区和平街道幸福小区3号楼2单元101` gives `幸福小区`. Null when the address names none, or
 * none the pattern can tell from the street (`新华路小区`): then nothing of the address is used.
 */
export function communityOf(address: string | null): string | null {
  const match = /([^\s,，、;；:：()（）市区县街道路巷弄号0-9]{1,20}小区)/u.exec(address ?? '');
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
