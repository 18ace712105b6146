/**
 * CSV for spreadsheets, as the subgraphs' downloads write it (the orders demand ledger, the volunteers' exchange export):
 * UTF-8 with a byte-order mark (Excel reads Chinese right), CRLF line ends, RFC 4180 quoting, Beijing times.
 */

const BOM = '\uFEFF';

/**
 * One cell. Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first) gets a leading `'`, so
 * a resident's or a volunteer's words never execute on a staff member's machine.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (string | number | null | undefined)[][]): string {
  return BOM + [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** `2026-11-28 17:30` in Beijing time. */
export function beijingMinute(date: Date | null): string | null {
  if (!date) return null;
  const shifted = new Date(new Date(date).getTime() + 8 * 3600_000);
  return shifted.toISOString().slice(0, 16).replace('T', ' ');
}
