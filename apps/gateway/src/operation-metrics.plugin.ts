import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Histogram, Registry } from 'prom-client';
import { BoundedLabel, ClientIdentity, ClientLabels, KnownClients, LABEL, sanitizeLabel } from './client-identity';
import type { GatewayContext } from './context';

type Labels = 'operation' | 'client_name' | 'client_version';

export interface OperationMetrics {
  plugin: ApolloServerPlugin<GatewayContext>;
  /** Counts a request refused before Apollo Server ran it (an unregistered document under TRUSTED_DOCUMENTS=enforce). */
  refused(client: ClientIdentity): void;
}

/**
 * Requests, requests answered with errors, and latency per operation name and client (app name and version), so a
 * team sees which release still calls what. Labels are bounded: operation names of registered documents are shown
 * as they are, other names up to 100 and then `(other)`; unnamed operations are `(anonymous)`, operations that did
 * not parse or validate `(invalid)`, refused unregistered ones `(unregistered)`; clients as `ClientLabels` bounds them.
 */
export function operationMetrics(registry: Registry, known: KnownClients): OperationMetrics {
  const registers = [registry];
  const labelNames = ['operation', 'client_name', 'client_version'] as const;
  const requests = new Counter<Labels>({
    name: 'gateway_operation_requests_total',
    help: 'GraphQL requests by operation name and client (apollographql-client-name / -version, or the manifest of the document)',
    labelNames,
    registers,
  });
  const errors = new Counter<Labels>({
    name: 'gateway_operation_errors_total',
    help: 'GraphQL requests answered with at least one error, by operation name and client',
    labelNames,
    registers,
  });
  const duration = new Histogram<Labels>({
    name: 'gateway_operation_duration_seconds',
    help: 'time from Apollo Server receiving a request to its answer, by operation name and client',
    labelNames,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const clients = new ClientLabels(known);
  const operations = new BoundedLabel(100);

  return {
    plugin: {
      async requestDidStart({ contextValue }) {
        const started = process.hrtime.bigint();
        return {
          async willSendResponse({ operation, operationName, response }) {
            let name: string;
            if (!operation) name = LABEL.invalid;
            else if (!operationName) name = LABEL.anonymous;
            else name = operations.label(sanitizeLabel(operationName), contextValue.document?.operations.has(operationName) ?? false);
            const labels = { operation: name, ...clients.of(contextValue.client ?? { name: null, version: null }) };
            requests.inc(labels);
            const failed = response.body.kind === 'single' ? (response.body.singleResult.errors?.length ?? 0) > 0 : false;
            if (failed) errors.inc(labels);
            duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
          },
        };
      },
    },
    refused(client) {
      const labels = { operation: LABEL.unregistered, ...clients.of(client) };
      requests.inc(labels);
      errors.inc(labels);
    },
  };
}
