import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, QueueKeys } from 'bullmq';
import { parseAllDocuments } from 'yaml';
import { DEV_CLAIMS_SECRET, DEV_JWT_SECRET, DEV_PII_KEY, loadConfig, variables } from '@kz/config';
import { createRedis, QUEUES, QueueName } from '@kz/events';
import { deleteKeysWithPrefix, testConfig, uniqueQueuePrefix } from '@kz/testing';
import { listApps, WORKSPACE } from './build';

/** Every document of a YAML file, refusing a file with a syntax error. */
function safeLoadAll(text: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS();
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: any };

const K8S = join(WORKSPACE, 'docker', 'k8s');

/** The port variable of each deployable app (a new app fails the first test until it is added here and to k8s). */
const PORT_VARIABLE: Record<string, keyof typeof variables> = {
  gateway: 'GATEWAY_PORT',
  'org-subgraph': 'ORG_PORT',
  'volunteers-subgraph': 'VOLUNTEERS_PORT',
  'orders-subgraph': 'ORDERS_PORT',
  'points-subgraph': 'POINTS_PORT',
  'notifications-subgraph': 'NOTIFICATIONS_PORT',
  'analytics-subgraph': 'ANALYTICS_PORT',
  'dispatch-worker': 'DISPATCH_WORKER_PORT',
  'notification-worker': 'NOTIFICATION_WORKER_PORT',
  'analytics-worker': 'ANALYTICS_WORKER_PORT',
  'ops-dashboard': 'OPS_DASHBOARD_PORT',
};

/** The queue each worker consumes (`queue:` in its `startWorkerService` call). */
const WORKER_QUEUE: Record<string, QueueName> = { 'dispatch-worker': 'dispatch', 'notification-worker': 'notifications' };

const defaultOf = (name: keyof typeof variables): unknown => variables[name].schema.parse(undefined);

const kustomization = safeLoadAll(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'))[0] as { namespace: string; resources: string[] };
const docs: Doc[] = kustomization.resources.flatMap((file) => safeLoadAll(readFileSync(join(K8S, file), 'utf8')) as Doc[]);
const find = (kind: string, name: string) => docs.find((doc) => doc.kind === kind && doc.metadata.name === name);
const configMap = find('ConfigMap', 'kz-config')!.data as Record<string, string>;
const secret = find('Secret', 'kz-secrets')!.stringData as Record<string, string>;

describe('the Kubernetes manifests (docker/k8s)', () => {
  it('list every YAML file of the folder in kustomization.yaml, all in one namespace', () => {
    const files = readdirSync(K8S).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    for (const doc of docs.filter((doc) => doc.kind !== 'Namespace')) expect(doc.metadata.namespace).toBe(kustomization.namespace);
    expect(find('Namespace', kustomization.namespace)).toBeDefined();
  });

  it('have a Deployment and a Service for every app with a main, on the port of its config default, live on /health and ready on /ready', () => {
    const apps = listApps();
    expect(Object.keys(PORT_VARIABLE).sort()).toEqual(apps);
    for (const app of apps) {
      const port = defaultOf(PORT_VARIABLE[app]!);
      const deployment = find('Deployment', app);
      expect({ app, deployment: !!deployment }).toEqual({ app, deployment: true });
      const [container] = deployment!.spec.template.spec.containers;
      expect(container.image).toBe(`kz/${app}:latest`);
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      expect(configMap[PORT_VARIABLE[app]!]).toBe(String(port));
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'kz-config' } }, { secretRef: { name: 'kz-secrets' } }]);
      expect(deployment!.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
      expect(deployment!.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': app });
      const service = find('Service', app)!;
      expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': app });
      expect(service.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
    }
  });

  it('scale the gateway and every subgraph on CPU', () => {
    for (const app of listApps().filter((name) => name === 'gateway' || name.endsWith('-subgraph'))) {
      const hpa = find('HorizontalPodAutoscaler', app)!;
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
      expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    }
  });

  it('run the analytics worker as one replica, never two at once, and scale it on nothing (the order of its subscriptions)', () => {
    const deployment = find('Deployment', 'analytics-worker')!;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(docs.filter((doc) => ['ScaledObject', 'HorizontalPodAutoscaler'].includes(doc.kind) && doc.metadata.name === 'analytics-worker')).toEqual([]);
  });

  it('give the apps a configuration they accept, with the development secrets marked as such', () => {
    const config = loadConfig({ ...configMap, ...secret });
    expect(config.QUEUE_PREFIX).toBe(defaultOf('QUEUE_PREFIX'));
    for (const [name, url] of Object.entries(configMap).filter(([key]) => key.endsWith('_SUBGRAPH_URL'))) {
      const app = `${name.replace('_SUBGRAPH_URL', '').toLowerCase()}-subgraph`;
      expect(url).toBe(`http://${app}:${configMap[PORT_VARIABLE[app]!]}/graphql`);
    }
    expect(configMap.REDIS_ADDRESS).toBe(new URL(configMap.REDIS_URL!).host);
    // Development values, labelled so, and refused by the apps in production.
    expect([secret.JWT_SECRET, secret.CLAIMS_SIGNING_SECRET, secret.PII_ENCRYPTION_KEY]).toEqual([DEV_JWT_SECRET, DEV_CLAIMS_SECRET, DEV_PII_KEY]);
    expect(find('Secret', 'kz-secrets')!.metadata.labels).toEqual({ 'kz-practice/development-defaults': 'true' });
    expect(() => loadConfig({ ...configMap, ...secret, NODE_ENV: 'production' })).toThrow();
  });

  describe('KEDA', () => {
    const prefix = configMap.QUEUE_PREFIX!;
    it('scales each worker on the wait list BullMQ uses for its queue, under the hash-tagged prefix', () => {
      expect(variables.QUEUE_PREFIX.schema.safeParse(prefix).success).toBe(true);
      expect(prefix).toMatch(/^\{.+\}$/);
      for (const [worker, queue] of Object.entries(WORKER_QUEUE)) {
        expect(QUEUES).toContain(queue);
        const scaled = find('ScaledObject', worker)!;
        expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
        expect(scaled.spec.scaleTargetRef).toEqual({ name: worker });
        const [trigger] = scaled.spec.triggers;
        expect(trigger.type).toBe('redis');
        expect(trigger.metadata.listName).toBe(new QueueKeys(prefix).toKey(queue, 'wait'));
        expect(Number(trigger.metadata.listLength)).toBeGreaterThan(0);
        // The scaler reads the address from the worker's own environment.
        const [container] = find('Deployment', worker)!.spec.template.spec.containers;
        const env = container.env.find((entry: { name: string }) => entry.name === trigger.metadata.addressFromEnv);
        expect(env.valueFrom.configMapKeyRef).toEqual({ name: 'kz-config', key: 'REDIS_ADDRESS' });
      }
    });

    it('names the list a waiting BullMQ job really sits in (checked against Redis)', async () => {
      const testPrefix = uniqueQueuePrefix();
      const redis = createRedis(testConfig().REDIS_URL, 'producer');
      const queue = new Queue('dispatch', { connection: redis, prefix: testPrefix });
      try {
        await queue.add('order.submitted', { n: 1 });
        await queue.add('order.submitted', { n: 2 });
        expect(await redis.llen(new QueueKeys(testPrefix).toKey('dispatch', 'wait'))).toBe(2);
        // …and the manifests' list is that key for the platform's prefix.
        const listName = find('ScaledObject', 'dispatch-worker')!.spec.triggers[0].metadata.listName as string;
        expect(listName.replace(prefix, testPrefix)).toBe(new QueueKeys(testPrefix).toKey('dispatch', 'wait'));
      } finally {
        await queue.close();
        await deleteKeysWithPrefix(redis, testPrefix);
        redis.disconnect();
      }
    });
  });
});
