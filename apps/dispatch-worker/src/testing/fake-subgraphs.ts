import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Claims, verifyClaims } from '@kz/auth';

/** One request the fake received, as the worker sent it. */
export interface RecordedCall {
  operation: string;
  variables: Record<string, unknown>;
  claims: Claims | null;
  /** When it arrived (epoch ms). */
  at: number;
}

type Reply = { status?: number; body: unknown };
type Script = { times: number; reply: (call: RecordedCall) => Reply };

const OPERATIONS = [
  'dispatchOrder',
  'escalateOrder',
  'closeOrder',
  'recordCarePlanVisit',
  'markVisitMissed',
  'order',
  'units',
  'dueTimers',
  'redemptionExpiries',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const graphqlError = (code: string, message = code.toLowerCase()) => ({
  status: 200,
  body: { data: null, errors: [{ message, extensions: { code } }] },
});

/**
 * The orders and org subgraphs as the dispatch worker sees them, on a real HTTP server: requests must carry claims
 * signed with the shared secret (as the real subgraphs demand), every request is recorded, and the mutations are
 * idempotent the way the orders service promises (a repeat of an applied effect changes nothing; an order that moved
 * on answers INVALID_TRANSITION). Tests script failures and hold answers to play a slow or dying peer.
 */
export class FakeSubgraphs {
  readonly calls: RecordedCall[] = [];
  /** Effects applied, each once: `escalate:42:ACCEPT:INSTITUTE`, `close:42`, `visit:7:<dueAt>`… */
  readonly effects: string[] = [];
  /** Order statuses (an unknown order is SUBMITTED for dispatching and absent for `order(id)`). */
  readonly statuses = new Map<string, string>();
  stations: { id: string; lat: number; lng: number }[] = [];
  /** What `dueTimers` answers (the orders tables' pending timers), in due order; paged two at a time. */
  dueTimers: Record<string, unknown>[] = [];
  /** What `redemptionExpiries` answers (reserved redemptions), soonest first; paged two at a time. */
  expiries: { redemptionId: string; expiresAt: string; unitPath: string | null }[] = [];
  private readonly scripts = new Map<Operation, Script[]>();
  private readonly held = new Map<Operation, { release: Promise<void>; arrived: () => void }>();
  private readonly openResponses = new Set<ServerResponse>();
  private server!: Server;
  url = '';

  constructor(private readonly secret: string) {}

  static async start(secret: string): Promise<FakeSubgraphs> {
    const fake = new FakeSubgraphs(secret);
    fake.server = createServer((request, response) => void fake.handle(request, response));
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/graphql`;
    return fake;
  }

  async stop(): Promise<void> {
    for (const response of this.openResponses) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  /** The next `times` calls of `operation` get this answer instead of the normal one (the effect is not applied). */
  script(operation: Operation, times: number, reply: (call: RecordedCall) => Reply): void {
    (this.scripts.get(operation) ?? this.scripts.set(operation, []).get(operation)!).push({ times, reply });
  }

  /**
   * The next call of `operation` applies its effect, then gets no answer until `release()`: the caller sees a peer
   * that did the work but has not replied (yet). Resolves `arrived` once that call came in.
   */
  hold(operation: Operation): { arrived: Promise<void>; release: () => void } {
    let release!: () => void;
    let arrived!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    this.held.set(operation, { release: released, arrived });
    return { arrived: arrival, release };
  }

  callsOf(operation: Operation): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.openResponses.add(response);
    response.on('close', () => this.openResponses.delete(response));
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { query, variables = {} } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
    let claims: Claims | null;
    try {
      claims = verifyClaims(this.secret, (name) => request.headers[name] as string | undefined, { query, variables }, 30);
    } catch {
      return this.send(response, graphqlError('UNAUTHENTICATED'));
    }
    const operation = OPERATIONS.find((name) => new RegExp(`\\b${name}\\s*\\(`).test(query));
    if (!operation) return this.send(response, graphqlError('GRAPHQL_VALIDATION_FAILED', `unknown operation: ${query}`));
    const call: RecordedCall = { operation, variables, claims, at: Date.now() };
    this.calls.push(call);

    const script = this.scripts.get(operation)?.[0];
    if (script) {
      script.times -= 1;
      if (script.times === 0) this.scripts.get(operation)!.shift();
      return this.send(response, script.reply(call));
    }
    if (operation !== 'units' && operation !== 'order' && !claims?.roles.includes('SERVICE')) {
      return this.send(response, graphqlError('FORBIDDEN'));
    }
    const reply = this.apply(operation, call);
    const hold = this.held.get(operation);
    if (hold) {
      this.held.delete(operation);
      hold.arrived();
      await hold.release;
    }
    this.send(response, reply);
  }

  private send(response: ServerResponse, reply: Reply): void {
    if (response.destroyed) return;
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(reply.body));
  }

  /** Applies an effect once per natural key, as the orders service does. */
  private effect(key: string): void {
    if (!this.effects.includes(key)) this.effects.push(key);
  }

  /** Pages of two (so paging is exercised), filtered by `before` as the subgraphs do. */
  private page<T>(all: T[], call: RecordedCall, dueOf: (item: T) => string): { items: T[]; nextCursor: string | null } {
    const before = call.variables.before ? Date.parse(String(call.variables.before)) : Infinity;
    const due = all.filter((item) => Date.parse(dueOf(item)) < before);
    const start = call.variables.after ? Number(call.variables.after) : 0;
    const end = start + 2;
    return { items: due.slice(start, end), nextCursor: end < due.length ? String(end) : null };
  }

  private apply(operation: Operation, call: RecordedCall): Reply {
    const input = (call.variables.input ?? {}) as Record<string, string>;
    const ok = (data: unknown) => ({ body: { data: { [operation]: data } } });
    switch (operation) {
      case 'units': {
        const after = call.variables.after ? Number(call.variables.after) : 0;
        const page = this.stations.slice(after, after + 100);
        const end = after + page.length;
        return ok({
          pageInfo: { hasNextPage: end < this.stations.length, endCursor: page.length ? String(end) : null },
          edges: page.map((station) => ({ node: { id: station.id, location: { lat: station.lat, lng: station.lng } } })),
        });
      }
      case 'dueTimers':
        return ok(this.page(this.dueTimers, call, (timer) => String(timer.dueAt)));
      case 'redemptionExpiries':
        return ok(this.page(this.expiries, call, (expiry) => expiry.expiresAt));
      case 'order': {
        const id = String(call.variables.id);
        const status = this.statuses.get(id);
        return ok(status ? { id, status } : null);
      }
      case 'dispatchOrder': {
        const status = this.statuses.get(input.orderId!) ?? 'SUBMITTED';
        if (status !== 'SUBMITTED') return graphqlError('INVALID_TRANSITION');
        this.statuses.set(input.orderId!, 'DISPATCHED');
        this.effect(`dispatch:${input.orderId}:${input.stationId}`);
        return ok({ id: input.orderId, status: 'DISPATCHED' });
      }
      case 'escalateOrder':
        this.effect(`escalate:${input.orderId}:${input.stage}:${input.level}`);
        return ok({ id: input.orderId, status: this.statuses.get(input.orderId!) ?? 'DISPATCHED' });
      case 'closeOrder': {
        if (this.statuses.get(input.orderId!) === 'CLOSED') return graphqlError('INVALID_TRANSITION');
        this.statuses.set(input.orderId!, 'CLOSED');
        this.effect(`close:${input.orderId}`);
        return ok({ id: input.orderId, status: 'CLOSED' });
      }
      case 'recordCarePlanVisit':
        this.effect(`visit:${input.carePlanId}:${input.dueAt}`);
        return ok({ id: `visit-${input.carePlanId}`, status: 'SUBMITTED' });
      case 'markVisitMissed':
        this.effect(`missed:${input.carePlanId}:${input.orderId}`);
        return ok({ id: input.carePlanId });
    }
  }
}
