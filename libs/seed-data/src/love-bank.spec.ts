import { orgDataset, peopleDataset, rewardsDataset, verifiedServiceToCredit, volunteeringDataset } from './index';

const heYi = peopleDataset('demo').find((person) => person.realName === '何毅')!.mobile;
// Generated once, outside the tests' time limit (the kaizhou set has 73,000 volunteers).
const demoVolunteering = volunteeringDataset('demo', heYi);
const kaizhouVolunteering = volunteeringDataset('kaizhou', heYi);

describe('the love bank of the seed data', () => {
  it('offers rice and oil at 迎宾社区, at demo stations, with stock for goods only', () => {
    const demoStations = new Set(orgDataset('demo').units.filter((unit) => unit.level === 'STATION').map((unit) => unit.code));
    const rewards = rewardsDataset('demo');
    expect(new Set(rewards.map((reward) => reward.key)).size).toBe(rewards.length);
    for (const reward of rewards) {
      expect(demoStations.has(reward.stationCode)).toBe(true);
      expect(reward.stock === null).toBe(reward.kind === 'SERVICE');
      expect(reward.price).toBeGreaterThan(0);
    }
    const yingbin = rewards.filter((reward) => reward.stationCode === 'KZ-HANFENG-YINGBIN').map((reward) => reward.name);
    expect(yingbin).toEqual(expect.arrayContaining([expect.stringMatching(/^大米/), expect.stringMatching(/^食用油/)]));
    expect(rewardsDataset('kaizhou')).toEqual(rewards);
  });

  it("credits the same verified service in both profiles, 何毅's 70 sessions among it", () => {
    const demo = verifiedServiceToCredit('demo', demoVolunteering, heYi);
    expect(verifiedServiceToCredit('kaizhou', kaizhouVolunteering, heYi)).toEqual(demo);
    expect(demo.filter((service) => service.mobile === heYi)).toHaveLength(70);
    expect(new Set(demo.map((service) => `${service.activityKey} ${service.mobile}`)).size).toBe(demo.length);
  });
});
