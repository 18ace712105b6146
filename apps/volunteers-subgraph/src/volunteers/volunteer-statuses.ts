export const VOLUNTEER_STATUSES = ['PENDING', 'ACTIVE', 'SUSPENDED', 'REJECTED', 'CLOSED'] as const;
export type VolunteerStatus = (typeof VOLUNTEER_STATUSES)[number];

export const VOLUNTEER_DECISIONS = ['REGISTERED', 'APPROVED', 'REJECTED', 'SUSPENDED', 'REINSTATED', 'CLOSED'] as const;
export type VolunteerDecision = (typeof VOLUNTEER_DECISIONS)[number];
