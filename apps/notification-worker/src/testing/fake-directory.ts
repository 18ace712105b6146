import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Claims, verifyClaims } from '@kz/auth';

const OPERATIONS = ['staffAbove', 'volunteerPersons', 'notificationContacts', 'order', 'pointsAccount'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface FakeOrder {
  id: string;
  code: string;
  title: string;
  status: string;
  urgency: string;
  category: string;
  requester: string | null;
  placedBy?: string | null;
  station: string | null;
  assignees: string[];
}

export interface RecordedCall {
  operation: Operation;
  variables: Record<string, unknown>;
  claims: Claims | null;
}

const error = (code: string) => ({ data: null, errors: [{ message: code.toLowerCase(), extensions: { code } }] });

/**
 * The volunteers, orders and points subgraphs as the notification worker reads them (the SERVICE-only reads of the
 * contract: `staffAbove`, `volunteerPersons`, `notificationContacts`, `order`, `pointsAccount`), on one real HTTP
 * server. Requests must carry claims signed with the shared secret by a SERVICE caller, as the real subgraphs demand;
 * every call is recorded. A unit tree with staff, people, volunteers, orders and accounts is set by the test.
 */
export class FakeDirectory {
  readonly calls: RecordedCall[] = [];
  /** unit id → parent id (null for the root). */
  readonly units = new Map<string, string | null>();
  readonly staff: { personId: string; role: string; unitId: string }[] = [];
  readonly people = new Map<string, { mobile: string | null; name: string }>();
  /** volunteer id → person id */
  readonly volunteers = new Map<string, string>();
  readonly orders = new Map<string, FakeOrder>();
  /** account id → holder person id */
  readonly accounts = new Map<string, string>();
  /** Operations answering 503 for their next calls. */
  private readonly outages = new Map<Operation, number>();
  private server!: Server;
  url = '';

  private constructor(private readonly secret: string) {}

  static async start(secret: string): Promise<FakeDirectory> {
    const fake = new FakeDirectory(secret);
    fake.server = createServer((request, response) => void fake.handle(request, response));
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/graphql`;
    return fake;
  }

  /** The next `times` calls of `operation` answer 503 (an overloaded service). */
  outage(operation: Operation, times: number): void {
    this.outages.set(operation, times);
  }

  callsOf(operation: Operation): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private ancestry(unitId: string): string[] {
    const chain: string[] = [];
    let current: string | null | undefined = unitId;
    while (current && this.units.has(current)) {
      chain.push(current);
      current = this.units.get(current);
    }
    return chain;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { query, variables = {} } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    let claims: Claims | null;
    try {
      claims = verifyClaims(this.secret, (name) => request.headers[name] as string | undefined, { query, variables }, 30);
    } catch {
      return send(200, error('UNAUTHENTICATED'));
    }
    const operation = OPERATIONS.find((name) => new RegExp(`\\b${name}\\s*\\(`).test(query));
    if (!operation) return send(200, error('GRAPHQL_VALIDATION_FAILED'));
    this.calls.push({ operation, variables, claims });
    const outage = this.outages.get(operation) ?? 0;
    if (outage > 0) {
      this.outages.set(operation, outage - 1);
      return send(503, { error: 'overloaded' });
    }
    if (!claims?.roles.includes('SERVICE')) return send(200, error('FORBIDDEN'));
    const ok = (data: unknown) => send(200, { data: { [operation]: data } });
    switch (operation) {
      case 'staffAbove': {
        const chain = this.ancestry(String(variables.unitId));
        const roles = variables.roles as string[];
        return ok(
          chain.flatMap((unitId) => this.staff.filter((row) => row.unitId === unitId && roles.includes(row.role))),
        );
      }
      case 'volunteerPersons':
        return ok(
          (variables.volunteerIds as string[])
            .filter((id) => this.volunteers.has(id))
            .map((volunteerId) => ({ volunteerId, personId: this.volunteers.get(volunteerId) })),
        );
      case 'notificationContacts':
        return ok(
          (variables.personIds as string[])
            .filter((id) => this.people.has(id))
            .map((personId) => ({ personId, mobile: this.people.get(personId)!.mobile, displayName: this.people.get(personId)!.name })),
        );
      case 'order': {
        const order = this.orders.get(String(variables.id));
        if (!order) return send(200, error('NOT_FOUND'));
        const ref = (id: string | null | undefined) => (id ? { id } : null);
        return ok({
          id: order.id,
          code: order.code,
          title: order.title,
          status: order.status,
          urgency: order.urgency,
          category: order.category,
          requester: ref(order.requester),
          placedBy: ref(order.placedBy ?? order.requester),
          station: ref(order.station),
          assignees: order.assignees.map((id) => ({ id })),
        });
      }
      case 'pointsAccount': {
        const holder = this.accounts.get(String(variables.id));
        return ok(holder ? { id: String(variables.id), holder: { id: holder } } : null);
      }
    }
  }
}
