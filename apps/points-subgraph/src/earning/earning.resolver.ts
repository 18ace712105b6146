/** Earning rules. Filled in by the earning work. */
export const earningResolvers = { Query: {}, Mutation: {} };
