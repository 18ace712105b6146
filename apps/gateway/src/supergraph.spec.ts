import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Config } from '@kz/config';
import { dropDatabase } from '@kz/db';
import { createHttpApp, executeApollo, HttpApp } from '@kz/http';
import { createLogger, createMetrics } from '@kz/telemetry';
import { deleteKeysWithPrefix, eventually, metricSample, testConfig, uniqueName, uniqueQueuePrefix } from '@kz/testing';
import { RunningGateway, startGateway } from './app';
import { READY_CACHE_MS, readyUrlOf } from './readiness';
import { servicesOf } from './supergraph';

/**
 * The gateway's supergraph reload and readiness against two small subgraphs of the spec's own (real HTTP servers with
 * `/graphql` and `/ready`, as every app has them), composed here with Apollo's composition. `alpha` already serves a
 * field (`added`) that only the second supergraph exposes.
 */
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n';
const ALPHA_V1 = `${LINK}type Query { hello: String }`;
const ALPHA_V2 = `${LINK}type Query { hello: String added: String }`;
const BETA = `${LINK}type Query { beta: String }`;

interface Subgraph {
  app: HttpApp;
  apollo: ApolloServer;
  url: string;
  ready: boolean;
}

async function startSubgraph(name: string, typeDefs: string, resolvers: Record<string, () => string>): Promise<Subgraph> {
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers: { Query: resolvers } }]),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const subgraph = { apollo, ready: true } as Subgraph;
  subgraph.app = createHttpApp({
    name,
    log: createLogger(name, 'silent'),
    metrics: createMetrics(name),
    maxBodyBytes: 100_000,
    ready: async () => (subgraph.ready ? { status: 'ok', checks: { postgres: 'ok' } } : { status: 'down', checks: { postgres: 'refused' } }),
    graphql: (request, res) => executeApollo(apollo, request, res, async () => ({})),
  });
  subgraph.url = `${await subgraph.app.listen(0, '127.0.0.1')}/graphql`;
  return subgraph;
}

function supergraphOf(subgraphs: { name: string; url: string; typeDefs: string }[]): string {
  const result = composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs: parse(typeDefs) })));
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

/** Replaces the file as a deploy should: written beside it, then renamed over it (one atomic change). */
function replaceFile(file: string, text: string): void {
  writeFileSync(`${file}.next`, text);
  renameSync(`${file}.next`, file);
}

let config: Config;
let gateway: RunningGateway;
let alpha: Subgraph;
let beta: Subgraph;
let dir: string;
let file: string;
let v1: string;
let v2: string;
let served = ''; // what the supergraph URL answers
let urlServer: Server;

const gatewayBase = () => gateway.url.replace(/\/graphql$/, '');
async function ask(query: string): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: { message: string }[] } }> {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] } };
}
const reloads = async (source: string, outcome: string) =>
  metricSample(await (await fetch(`${gatewayBase()}/metrics`)).text(), 'gateway_supergraph_reloads_total', { source, outcome }) ?? 0;

beforeAll(async () => {
  alpha = await startSubgraph('alpha', ALPHA_V2, { hello: () => '你好', added: () => '新字段' });
  beta = await startSubgraph('beta', BETA, { beta: () => 'β' });
  v1 = supergraphOf([{ name: 'alpha', url: alpha.url, typeDefs: ALPHA_V1 }, { name: 'beta', url: beta.url, typeDefs: BETA }]);
  v2 = supergraphOf([{ name: 'alpha', url: alpha.url, typeDefs: ALPHA_V2 }, { name: 'beta', url: beta.url, typeDefs: BETA }]);
  dir = mkdtempSync(join(tmpdir(), 'kz-supergraph-'));
  file = join(dir, 'supergraph.graphql');
  writeFileSync(file, v1);
  served = v1;
  urlServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(served)).listen(0, '127.0.0.1');
  await once(urlServer, 'listening');
  config = testConfig({
    HOST: '127.0.0.1',
    QUEUE_PREFIX: uniqueQueuePrefix(),
    GATEWAY_DATABASE: uniqueName('gateway'),
    MEDIA_DATABASE: uniqueName('media'),
    GATEWAY_RATE_LIMIT_PER_MINUTE: '0',
    SUPERGRAPH_POLL_URL: `http://127.0.0.1:${(urlServer.address() as AddressInfo).port}/supergraph.graphql`,
    SUPERGRAPH_POLL_SECONDS: '1',
  });
  gateway = await startGateway(config, { port: 0, supergraphFile: file });
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([alpha?.app.close(), beta?.app.close()]);
  await Promise.all([alpha?.apollo.stop(), beta?.apollo.stop()]);
  urlServer?.close();
  rmSync(dir, { recursive: true, force: true });
  await dropDatabase(config, config.GATEWAY_DATABASE);
  await dropDatabase(config, config.MEDIA_DATABASE);
  const redis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  await deleteKeysWithPrefix(redis, config.QUEUE_PREFIX);
  redis.disconnect();
});

describe('the supergraph without restarts', () => {
  it('names the subgraphs of a supergraph and where their readiness is', () => {
    expect(servicesOf(v1)).toEqual([
      { name: 'alpha', url: alpha.url },
      { name: 'beta', url: beta.url },
    ]);
    expect(readyUrlOf('http://points:4004/graphql')).toBe('http://points:4004/ready');
    expect(readyUrlOf('https://api.example/points/graphql')).toBe('https://api.example/points/ready');
  });

  it('takes a new supergraph written to its file under load: every answer ok, the new field served without restart', async () => {
    expect((await ask('{ added }')).body.errors?.[0]?.message).toMatch(/Cannot query field "added"/);
    let stop = false;
    const answers: Awaited<ReturnType<typeof ask>>[] = [];
    const client = async () => {
      while (!stop) answers.push(await ask('{ hello beta }'));
    };
    const clients = [client(), client(), client(), client()];
    await eventually(async () => answers.length >= 20); // the load is running before the change
    replaceFile(file, v2);
    await eventually(async () => (await ask('{ added }')).body.data?.added === '新字段', 20_000);
    const seenBeforeStop = answers.length;
    await eventually(async () => answers.length >= seenBeforeStop + 20); // and keeps running after it
    stop = true;
    await Promise.all(clients);
    const bad = answers.filter((answer) => answer.status !== 200 || answer.body.errors || answer.body.data?.hello !== '你好' || answer.body.data?.beta !== 'β');
    expect({ answers: answers.length, bad: bad.slice(0, 3) }).toEqual({ answers: answers.length, bad: [] });
    expect(await reloads('file', 'applied')).toBe(1);
  });

  it('refuses a supergraph that does not parse or does not validate, counts it, and keeps serving the old one', async () => {
    replaceFile(file, 'type Query {');
    await eventually(async () => (await reloads('file', 'invalid')) === 1, 20_000);
    // A supergraph that parses but whose key names a field the type does not have: subgraph extraction fails.
    replaceFile(file, v2.replace('type Query', 'type Query @join__type(graph: ALPHA, key: "nope")'));
    await eventually(async () => (await reloads('file', 'invalid')) === 2, 20_000);
    const answer = await ask('{ hello added beta }');
    expect(answer.body).toEqual({ data: { hello: '你好', added: '新字段', beta: 'β' } });
    expect(await reloads('file', 'applied')).toBe(1);
  });

  it('follows SUPERGRAPH_POLL_URL: a changed answer there is applied too', async () => {
    const v3 = supergraphOf([{ name: 'alpha', url: alpha.url, typeDefs: ALPHA_V2 }]); // beta dropped
    served = v3;
    await eventually(async () => (await ask('{ beta }')).body.errors?.[0]?.message.includes('Cannot query field "beta"') ?? false, 20_000);
    expect((await ask('{ hello added }')).body).toEqual({ data: { hello: '你好', added: '新字段' } });
    expect(await reloads('url', 'applied')).toBe(1);
    served = 'not a supergraph';
    await eventually(async () => (await reloads('url', 'invalid')) === 1, 20_000);
    expect((await ask('{ hello }')).body).toEqual({ data: { hello: '你好' } });
    // Back to the two subgraphs for the readiness tests.
    served = v2;
    await eventually(async () => (await ask('{ beta }')).body.data?.beta === 'β', 20_000);
  });
});

describe('readiness', () => {
  const ready = async () => {
    const response = await fetch(`${gatewayBase()}/ready`);
    return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string>; notReady?: string[] } };
  };

  it('is ready when the supergraph is loaded and every subgraph it names is ready', async () => {
    await eventually(async () => (await ready()).status === 200);
    expect((await ready()).body).toEqual({
      service: 'gateway',
      status: 'ok',
      checks: { supergraph: 'ok', trustedDocuments: 'ok', 'subgraph:alpha': 'ok', 'subgraph:beta': 'ok' },
    });
  });

  it('answers 503 naming a subgraph that is not ready or is gone, /health staying 200, and is ready again once it is back', async () => {
    beta.ready = false;
    await eventually(async () => (await ready()).status === 503);
    expect((await ready()).body).toMatchObject({ status: 'down', checks: { 'subgraph:beta': 'not ready (503: postgres)', 'subgraph:alpha': 'ok' }, notReady: ['subgraph:beta'] });
    expect((await fetch(`${gatewayBase()}/health`)).status).toBe(200);
    beta.ready = true;
    await eventually(async () => (await ready()).status === 200);

    await alpha.app.close();
    await eventually(async () => (await ready()).status === 503);
    const down = (await ready()).body;
    expect(down.notReady).toEqual(['subgraph:alpha']);
    expect(down.checks['subgraph:alpha']).toMatch(/^unreachable \(ECONNREFUSED\)$/);
    await alpha.app.listen(Number(new URL(alpha.url).port), '127.0.0.1');
    await eventually(async () => (await ready()).status === 200);
  });

  it('asks each subgraph at most once per cache period, however many probes arrive', async () => {
    let asked = 0;
    const counting = createServer((req, res) => {
      if (req.url === '/ready') asked += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    }).listen(0, '127.0.0.1');
    await once(counting, 'listening');
    try {
      // A supergraph whose beta is the counting server, applied through the file.
      const countingUrl = `http://127.0.0.1:${(counting.address() as AddressInfo).port}/graphql`;
      replaceFile(file, supergraphOf([{ name: 'alpha', url: alpha.url, typeDefs: ALPHA_V2 }, { name: 'beta', url: countingUrl, typeDefs: BETA }]));
      await eventually(async () => {
        await ready();
        return asked > 0;
      });
      const [before, started] = [asked, Date.now()];
      const probes = await Promise.all(Array.from({ length: 50 }, () => ready()));
      const periods = Math.floor((Date.now() - started) / READY_CACHE_MS) + 1; // cache periods the probes spanned
      expect(probes.every((probe) => probe.status === 200)).toBe(true);
      expect(asked - before).toBeLessThanOrEqual(periods);
    } finally {
      counting.close();
    }
  });
});
