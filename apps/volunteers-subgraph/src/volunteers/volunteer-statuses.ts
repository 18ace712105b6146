export const VOLUNTEER_STATUSES = ['PENDING', 'ACTIVE', 'SUSPENDED'] as const;
export type VolunteerStatus = (typeof VOLUNTEER_STATUSES)[number];
