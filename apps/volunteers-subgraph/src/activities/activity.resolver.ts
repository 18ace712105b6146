/** Activities: recruitment, sign-up with waitlist, check-in and check-out. Filled in by the activities work. */
export const activityResolvers = {
  Query: {},
  Mutation: {},
  Activity: {},
  ActivitySignUp: {},
};
