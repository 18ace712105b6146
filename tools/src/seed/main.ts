import { loadConfigOrExit } from '@kz/config';
import { DEMO_PASSWORD, SeedProfile } from '@kz/seed-data';
import { parseArgs, runTool } from '../shared/args';
import { PROFILES, seed } from './seed';

runTool(async () => {
  const args = parseArgs(process.argv.slice(2), ['profile']);
  const profile = (args.profile ?? 'demo') as SeedProfile;
  if (!PROFILES.includes(profile)) throw new Error(`--profile must be one of ${PROFILES.join(', ')}`);
  const { org, people, volunteering, orders, points, earnings, rewards, historyMs, ms } = await seed(loadConfigOrExit(), profile);
  process.stdout.write(
    `seeded profile ${profile} in ${ms} ms: units +${org.unitsInserted} (${org.unitsUpdated} already there), ` +
      `teams +${org.teamsInserted} (${org.teamsUpdated} already there), ${people} people with logins ` +
      `(development password: ${DEMO_PASSWORD}), ${volunteering.volunteers} volunteers, ${volunteering.activities} activities, ` +
      `${volunteering.serviceRecords} service records, ${orders.orders} service orders (+${orders.inserted}, ` +
      `${orders.timeline} timeline lines and ${orders.assignees} assignments added), ${points.accounts} points accounts ` +
      `(+${points.accountsOpened}, ${points.credits} opening credits of ${points.points} points posted; orders and points took ${historyMs} ms), ` +
      `${earnings.records} verified demo records earning points by the rules (+${earnings.credited} credits of ${earnings.points} points), ` +
      `${rewards.rewards} rewards (+${rewards.inserted})\n`,
  );
});
