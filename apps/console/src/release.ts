/**
 * The console's name and release as the gateway knows them: its requests carry them (`apollographql-client-name` /
 * `-version`) and `npm start` publishes the client's persisted-documents manifest under them.
 */
export const CONSOLE_RELEASE = { app: 'kz-console', version: '1.0.0' } as const;
