/** Service records: verification, rejection, corrections, offline records. Filled in by the records work. */
export const recordResolvers = {
  Query: {},
  Mutation: {},
  ServiceRecord: {},
};
