import { buildApps, listApps, selectApps } from './build';

// `npm run build` builds every app; `npm run build -- gateway org-subgraph` builds only those.
async function main(): Promise<void> {
  const apps = selectApps(process.argv.slice(2), listApps());
  if (apps.length === 0) throw new Error('no apps to build (no apps/*/src/main.ts found)');
  await buildApps(apps, (line) => process.stdout.write(`${line}\n`));
}

main().catch((error: Error) => {
  process.stderr.write(`build failed: ${error.message}\n`);
  process.exit(1);
});
