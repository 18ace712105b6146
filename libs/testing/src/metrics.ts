/** The sum of the samples of `name` whose labels include `labels`, from a /metrics text (undefined when absent). */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

/** Every value one label takes among the samples of `name`. */
export function metricLabelValues(text: string, name: string, label: string): Set<string> {
  const values = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:]+)\{(.*)\} \S+$/.exec(line);
    if (!match || match[1] !== name) continue;
    const value = new RegExp(`(?:^|,)${label}="([^"]*)"`).exec(match[2]!)?.[1];
    if (value !== undefined) values.add(value);
  }
  return values;
}

/** The /metrics text of an app, given its base URL or its `/graphql` URL. */
export async function scrapeMetrics(url: string): Promise<string> {
  const response = await fetch(`${url.replace(/\/graphql$/, '')}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}
