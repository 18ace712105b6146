import { tracingSupported, TRACING_MIN_NODE } from '@kz/telemetry';
import { freePort, OtlpReceiver } from '@kz/testing';
import { Launcher, NO_RESTART, waitHealthy } from '../launcher/launcher';
import { Comparison, median } from './load';
import { launchGateway } from './processes';
import { BenchOptions, BenchTarget, unitTreeBenchmark } from './unit-tree.bench';

/**
 * Tracing overhead (issue 21, goal: p95 within 5 %): the whole district tree through a gateway and an org subgraph
 * that both trace (OTEL_EXPORTER_OTLP_ENDPOINT pointing at a real OTLP/HTTP receiver in this process, every request
 * sampled), against the bench's untraced single-process gateway and org subgraph, in alternating rounds. Both pairs
 * run the same code on the same Node and databases; the traced pair exports every span it makes.
 */
export async function tracingBenchmark(
  target: BenchTarget & { env: NodeJS.ProcessEnv; untraced: { label: string; url: string } },
  options: BenchOptions,
): Promise<Comparison> {
  if (!tracingSupported()) {
    throw new Error(`the tracing benchmark needs Node.js ${TRACING_MIN_NODE}+ for the traced processes (this is ${process.versions.node}); run the bench on Node 24`);
  }
  const receiver = await OtlpReceiver.start();
  const [orgPort, gatewayPort] = [await freePort(), await freePort()];
  const traced = { ...target.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint };
  const launcher = new Launcher({ width: 10, env: { ...traced, ORG_PORT: String(orgPort) }, policy: NO_RESTART });
  let gateway: Awaited<ReturnType<typeof launchGateway>> | undefined;
  try {
    launcher.start({ name: 'org-traced', dir: 'org-subgraph', port: orgPort }, 6);
    await waitHealthy(orgPort, () => launcher.isRunning('org-traced'));
    gateway = await launchGateway({ ...traced, ORG_SUBGRAPH_URL: `http://127.0.0.1:${orgPort}/graphql` }, gatewayPort, 1);
    const on = { label: 'gateway + org subgraph, tracing on (1 process each)', url: `http://127.0.0.1:${gatewayPort}/graphql` };
    const off = { label: 'gateway + org subgraph, tracing off (1 process each)', url: target.untraced.url };
    const comparison = await unitTreeBenchmark({ ...target, gateways: [on, off] }, options);
    const [onResult, offResult] = comparison.results;
    const [p95On, p95Off] = [median(onResult!.runs).p95, median(offResult!.runs).p95];
    const spans = receiver.spans.length;
    return {
      ...comparison,
      title: `tracing: ${comparison.title.split(': ')[1]}, tracing on against off`,
      note:
        `The same query through a traced gateway and org subgraph (every request sampled, spans batched to an OTLP/HTTP receiver ` +
        `in the bench process: ${spans} spans in ${receiver.exports} exports) and through the untraced ones, alternating in the same ` +
        `rounds. p95 with tracing on / off: ${p95On} / ${p95Off} ms = ${(p95On / p95Off).toFixed(3)}× (goal: within 1.05×). ${comparison.note}`,
    };
  } finally {
    await gateway?.stop();
    await launcher.stop(0);
    await launcher.exited;
    await receiver.stop();
  }
}
