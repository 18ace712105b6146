import { isOrderCategory, OrderCategory } from '@kz/events';

export { ORDER_CATEGORIES, isOrderCategory } from '@kz/events';
export type { OrderCategory } from '@kz/events';

// What the volunteers subgraph knows of an order's category (the values are shared through @kz/events; the schema's
// enum must stay equal to the orders schema's for composition): the activity category a delivered order's service is
// recorded under, and the skills that fit an order when suggesting volunteers.

/** The `activity_category` code a service on an order of each category is recorded under. */
export const ACTIVITY_CATEGORY_OF_ORDER: Record<OrderCategory, string> = {
  SAFETY_FACILITIES: 'SAFETY',
  ELDERLY_CARE: 'ELDERLY_CARE',
  CHILD_CARE: 'CHILD_CARE',
  HEALTH: 'HEALTH',
  LEGAL: 'LEGAL',
  ENVIRONMENT: 'ENVIRONMENT',
  CULTURE_EDUCATION: 'CULTURE',
  OTHER: 'OTHER',
};

/** The activity category of an order's category; a category this subgraph does not know yet is OTHER. */
export function activityCategoryOf(orderCategory: string | null | undefined): string {
  return isOrderCategory(orderCategory) ? ACTIVITY_CATEGORY_OF_ORDER[orderCategory] : 'OTHER';
}

/** The `skill` codes that fit an order of each category, best fit first. */
export const SKILLS_FOR_ORDER: Record<OrderCategory, readonly string[]> = {
  SAFETY_FACILITIES: ['REPAIR', 'SAFETY'],
  ELDERLY_CARE: ['ELDERLY_CARE', 'MEDICAL'],
  CHILD_CARE: ['TUTORING', 'PSYCHOLOGY'],
  HEALTH: ['MEDICAL'],
  LEGAL: ['LEGAL'],
  ENVIRONMENT: ['ENVIRONMENT'],
  CULTURE_EDUCATION: ['ARTS', 'THEORY', 'TUTORING'],
  OTHER: [],
};

/** The skills that fit an order of this category (none for OTHER or an unknown category). */
export function skillsFor(orderCategory: string | null | undefined): readonly string[] {
  return isOrderCategory(orderCategory) ? SKILLS_FOR_ORDER[orderCategory] : [];
}
