import { z } from 'zod';

/**
 * `closeMyAccount`'s input: `confirm` must be true, and a person who has a password re-enters it (a WeChat-only
 * person has none: their confirmation is the flag, from a session WeChat just vouched for).
 */
export const closeMyAccountInput = z.object({
  confirm: z.boolean(),
  password: z.string().min(1).max(200).nullish(),
});
