export { SEVEN_HAVES } from './types';
export type { OrgDataset, SeedProfile, SeedTeam, SeedUnit, SevenHavesItem, TeamKind, UnitLevel } from './types';
export { orgDataset } from './org-dataset';
export { peopleDataset, DEMO_PASSWORD } from './people';
export type { SeedPerson, SeedRole } from './people';
export { volunteeringDataset } from './volunteers';
export type { SeedActivity, SeedVolunteer, VolunteeringDataset } from './volunteers';
export { ordersDataset, uuidFor } from './orders';
export type { OrdersDataset, SeedOrder, SeedOrderEvent, SeedOrderStatus, SeedPointsAccount } from './orders';
