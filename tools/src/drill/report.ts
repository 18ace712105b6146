import type { Check } from './invariants';
import type { DrillResult } from './drills';

const codes = (failed: Record<string, number>): string =>
  Object.keys(failed).length === 0 ? '–' : Object.entries(failed).map(([code, n]) => `${n} ${code}`).join(', ');

function table(header: string[], rows: (string | number)[][]): string {
  const escape = (cell: string | number) => String(cell).replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n');
}

/** One line per drill: what was sent, acknowledged, refused (by code), lost, and how long recovery took. */
export function summaryTable(results: DrillResult[]): string {
  return table(
    ['drill', 'requests sent', 'acknowledged', 'failed (code)', 'lost', 'recovery (s)', 'verdict'],
    results.map((r) => [r.name, r.sent, r.acknowledged, codes(r.failed), r.lost, r.recoverySeconds ?? 'none', r.ok ? 'OK' : 'FAILED']),
  );
}

export function checksTable(checks: Check[]): string {
  return table(
    ['check', 'expected', 'found', 'lost', 'duplicated', 'result', 'detail'],
    checks.map((c) => [c.check, c.expected, c.found, c.lost, c.duplicated, c.ok ? 'ok' : 'VIOLATED', c.detail]),
  );
}

export function drillSection(result: DrillResult): string {
  const notes = result.notes.map((note) => `- ${note}`).join('\n');
  return [
    `## ${result.name}: ${result.ok ? 'OK' : 'FAILED'}`,
    '',
    `Fault: ${result.fault}.`,
    '',
    `Requests: ${result.sent} sent, ${result.acknowledged} acknowledged, failed: ${codes(result.failed)}. ` +
      `Recovery: ${result.recoverySeconds === null ? 'none' : `${result.recoverySeconds} s`} (${result.recovery}).`,
    '',
    notes,
    '',
    checksTable(result.checks),
    '',
  ].join('\n');
}

export function markdown(when: string, setup: string[], results: DrillResult[]): string {
  return [
    '# Fault drills: latest run',
    '',
    `Produced by \`npm run drill\` at ${when}. Every figure below comes from that run.`,
    '',
    ...setup.map((line) => `- ${line}`),
    '',
    summaryTable(results),
    '',
    ...results.map(drillSection),
  ].join('\n');
}
