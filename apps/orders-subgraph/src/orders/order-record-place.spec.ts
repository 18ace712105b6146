import { communityOf, orderRecordContent, orderRecordPlace } from './order-record-place';

describe("an order record's place and content (办法 Art. 7)", () => {
  it('take the 小区 of an address, never the street, building or door', () => {
    expect(communityOf('重庆市开州区汉丰街道迎宾大道88号腾龙小区3栋2单元501')).toBe('腾龙小区');
    expect(communityOf('幸福小区 5-2-301')).toBe('幸福小区');
    expect(communityOf('开州区汉丰街道迎宾大道88号3栋501')).toBeNull();
    expect(communityOf(null)).toBeNull();
    // Where the name's start is uncertain nothing is taken, rather than a name cut short (口小区, 幸福小区 of 和平街道幸福小区?).
    expect(communityOf('开州区和平街道口小区2栋')).toBeNull();
    expect(communityOf('北京市朝阳区和平街道幸福小区3号楼')).toBeNull();
  });

  it("are the station's name with the 小区 when there is one, the station's name alone otherwise", () => {
    expect(orderRecordPlace('迎宾社区服务站', '开州区汉丰街道迎宾大道88号腾龙小区3栋2单元501')).toBe('迎宾社区服务站（腾龙小区）');
    expect(orderRecordPlace('迎宾社区服务站', '开州区汉丰街道迎宾大道88号3栋501')).toBe('迎宾社区服务站');
    expect(orderRecordPlace('迎宾社区服务站', null)).toBe('迎宾社区服务站');
    expect(orderRecordPlace(null, '腾龙小区3栋')).toBeNull();
  });

  it("name the category in Chinese before the order's title", () => {
    expect(orderRecordContent('ELDERLY_CARE', ' 陪同就医 ')).toBe('助老：陪同就医');
    expect(orderRecordContent('ELDERLY_CARE', '')).toBe('助老');
    expect(orderRecordContent('UNKNOWN', '陪同就医')).toBe('陪同就医');
  });
});
