import { eventually, freePort } from '@kz/testing';
import { Launcher, NO_RESTART, RestartPolicy, waitHealthy } from './launcher';
import { processAlive } from './data-folder';

/** A stand-in app: answers /health on the port it is given, until it is stopped. */
const HEALTHY_APP = `
const port = Number(process.argv[1]);
const server = require('node:http').createServer((request, response) => response.end('ok')).listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const FAST: RestartPolicy = { maxCrashes: 3, windowMs: 60_000, backoffMs: () => 20 };

describe('the launcher supervising its apps', () => {
  let launcher: Launcher;
  let lines: string[];

  beforeEach(() => {
    lines = [];
    launcher = new Launcher({ policy: FAST, write: (text) => lines.push(text) });
  });

  afterEach(() => launcher.killAll());

  it('starts an app killed with SIGKILL again, says so, and keeps the others running', async () => {
    const [port, otherPort] = [await freePort(), await freePort()];
    launcher.start({ name: 'worker', dir: 'n/a', port, args: ['-e', HEALTHY_APP, String(port)] }, 0);
    launcher.start({ name: 'gateway', dir: 'n/a', port: otherPort, args: ['-e', HEALTHY_APP, String(otherPort)] }, 1);
    await Promise.all([waitHealthy(port, () => launcher.isRunning('worker')), waitHealthy(otherPort, () => launcher.isRunning('gateway'))]);
    const killed = launcher.pidOf('worker')!;
    const gateway = launcher.pidOf('gateway')!;

    process.kill(killed, 'SIGKILL');
    await eventually(async () => launcher.pidOf('worker') !== undefined && launcher.pidOf('worker') !== killed);
    await waitHealthy(port, () => launcher.isRunning('worker'));

    expect(lines.join('')).toMatch(/\[worker\] +exited unexpectedly \(SIGKILL\); restarting in 0\.02 s \(crash 1 within 60 s; at 3 everything stops\)/);
    expect(lines.join('')).toContain(`started (pid ${launcher.pidOf('worker')})`);
    expect(launcher.pidOf('gateway')).toBe(gateway);
    expect(launcher.failure).toBeNull();

    await launcher.stop(0);
    expect(await launcher.exited).toBe(0);
    expect(processAlive(gateway)).toBe(false);
  });

  it('stops everything with a message when an app keeps crashing', async () => {
    const port = await freePort();
    launcher.start({ name: 'gateway', dir: 'n/a', port, args: ['-e', HEALTHY_APP, String(port)] }, 0);
    await waitHealthy(port, () => launcher.isRunning('gateway'));
    const gateway = launcher.pidOf('gateway')!;
    launcher.start({ name: 'crashy', dir: 'n/a', port: 0, args: ['-e', 'process.exit(3)'] }, 1);

    expect(await launcher.exited).toBe(1);
    expect(launcher.failure).toBe(
      'crashy exited unexpectedly (code 3) 3 times within 60 s: it keeps crashing; stopping everything. Its log lines above say why.',
    );
    expect(lines.join('').match(/\[crashy\] +exited unexpectedly \(code 3\); restarting/g)).toHaveLength(2);
    expect(launcher.isRunning('gateway')).toBe(false);
    await eventually(async () => !processAlive(gateway));
  });

  it('stops at the first crash when told not to restart (benchmarks)', async () => {
    launcher = new Launcher({ policy: NO_RESTART, write: (text) => lines.push(text) });
    launcher.start({ name: 'crashy', dir: 'n/a', port: 0, args: ['-e', 'process.exit(2)'] }, 0);
    expect(await launcher.exited).toBe(1);
    expect(launcher.failure).toMatch(/^crashy exited unexpectedly \(code 2\) and is not restarted; stopping everything/);
  });
});
