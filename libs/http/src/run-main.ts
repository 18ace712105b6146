import type { Logger } from '@kz/telemetry';

/**
 * The body of every app's `main.ts`: start, then stop cleanly on SIGTERM/SIGINT (a second signal forces exit).
 * A failure to start prints its message and exits non-zero.
 */
export function runMain(start: () => Promise<{ stop(): Promise<void>; log: Logger }>): void {
  start().then(
    (app) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) process.exit(1);
        stopping = true;
        app.log.info({ signal }, 'shutting down');
        app.stop().then(
          () => process.exit(0),
          (error: Error) => {
            app.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    },
    (error: Error) => {
      process.stderr.write(`failed to start: ${error.message}\n`);
      process.exit(1);
    },
  );
}
