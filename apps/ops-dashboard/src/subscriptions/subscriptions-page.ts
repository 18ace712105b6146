import type { SubscriptionLag } from './subscription-lag';

/**
 * The event stream's subscriptions as a page: per subscription its lag (entries waiting, age of the oldest), the
 * entries its retention dropped unread and those its consumer acknowledged. `problem` replaces the table when the
 * analytics database cannot be read (the analytics worker has not created it yet, or Postgres is down).
 */
export function subscriptionsPage(database: string, subscriptions: SubscriptionLag[] | { problem: string }): string {
  const body = Array.isArray(subscriptions)
    ? subscriptions.length === 0
      ? '<p>还没有订阅。Event subscriptions: none yet (EVENT_SUBSCRIPTIONS, or <code>npm run events -- subscribe</code>).</p>'
      : table(subscriptions)
    : `<p class="notice">无法读取分析数据库。Cannot read the analytics database ${escapeHtml(database)}: ${escapeHtml(subscriptions.problem)}</p>`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>开州文明实践 · 事件订阅 / Event subscriptions</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  .notice { color: #a40000; }
</style>
</head>
<body>
<h1>事件订阅 · Event subscriptions</h1>
<p>分析工作进程把 <code>analytics</code> 队列归档到 ${escapeHtml(database)} 数据库,并分发给各订阅。<br>
The analytics worker archives the <code>analytics</code> queue into the ${escapeHtml(database)} database and copies each event into the subscriptions that want it. <a href="./">队列 · Queues</a></p>
${body}
</body>
</html>
`;
}

function table(subscriptions: SubscriptionLag[]): string {
  const rows = subscriptions.map(
    (s) =>
      `<tr data-subscription="${escapeHtml(s.name)}"><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.types.join(', '))}</td>` +
      `<td class="n" data-figure="waiting">${s.waiting}</td><td class="n" data-figure="oldest-age">${ageOf(s.oldestAgeSeconds)}</td>` +
      `<td class="n" data-figure="dropped">${s.dropped}</td><td class="n" data-figure="acked">${s.acked}</td>` +
      `<td class="n">${s.maxEntries} / ${ageOf(s.maxAgeSeconds)}</td></tr>`,
  );
  return `<table>
<thead><tr><th>订阅 · Subscription</th><th>事件类型 · Types</th><th>待处理 · Waiting</th><th>最早等待 · Oldest waiting</th><th>已丢弃 · Dropped</th><th>已确认 · Acked</th><th>保留上限 · Retention (entries / age)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** Seconds as an operator reads them: `42 s`, `5 min 3 s`, `2 h 10 min`, `7 d 0 h`. */
export function ageOf(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
