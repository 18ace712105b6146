import { join } from 'node:path';
import { z } from 'zod';
import { catalog, routesFor } from '@kz/events';
import { WORKSPACE } from '../compose/compose';

export const EVENTS_DOC = join(WORKSPACE, 'docs', 'events.md');

/** docs/events.md, generated from the catalogue and routing table in `libs/events`, so it cannot drift. */
export function eventsDoc(): string {
  const rows = Object.entries(catalog).map(([type, spec]) => {
    const shape = (spec.payload as z.ZodObject).shape as Record<string, z.ZodType>;
    const fields = Object.entries(shape)
      .map(([name, schema]) => (schema.safeParse(undefined).success ? `${name}?` : name))
      .join(', ');
    return `| \`${type}\` | ${spec.version} | ${routesFor(type as keyof typeof catalog).join(', ')} | ${fields} | ${spec.description} |`;
  });
  return `# Event catalogue

Generated from \`libs/events/src/catalog.ts\` and \`routing.ts\` by \`npm run docs\`; a test fails when this file is stale.

Services write events to their outbox table in the same transaction as the change; a relay in each service moves
them to BullMQ queues with the event id as job id. Consumers validate the envelope and payload, and record the
event id (or a natural key) in the same transaction as their effect, so a redelivery changes nothing.

## Envelope

| field | meaning |
| --- | --- |
| \`id\` | uuid; also the BullMQ job id |
| \`type\` | one of the types below |
| \`version\` | payload version (integer); fields may be added within a version, never renamed or dropped |
| \`occurredAt\` | ISO-8601 with zone |
| \`actor\` | \`{ personId, roles }\` or \`{ system }\` |
| \`unitPath\` | materialized path of the unit the event belongs to, or null |
| \`requestId\` | id of the API request that caused it, when there was one |
| \`payload\` | the fields below (\`?\` = optional) |

## Events and their queues

Every event goes to \`analytics\`; the queues column lists all queues that receive it.

| type | version | queues | payload | meaning |
| --- | ---: | --- | --- | --- |
${rows.join('\n')}
`;
}
