import { z } from 'zod';

/** `setPublicRanking`: whether the public leaderboards show the signed-in volunteer. */
export const setPublicRankingInput = z.object({ publicRanking: z.boolean() });
