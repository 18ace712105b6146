const COLORS = [36, 32, 33, 35, 34, 96, 92, 93];
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg']);

/** A colored `[name]` prefix per app, so interleaved output stays readable. */
export function prefixFor(name: string, index: number, width: number): string {
  const color = process.stdout.isTTY ? COLORS[index % COLORS.length] : undefined;
  const label = `[${name}]`.padEnd(width + 2);
  return color ? `\u001b[${color}m${label}\u001b[0m` : label;
}

/** Turns a pino JSON line into `12:00:01 INFO  message key=value`; other lines pass through. */
export function formatLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
    const level = LEVELS[Number(entry.level)] ?? String(entry.level ?? '');
    const extras = Object.entries(entry)
      .filter(([key]) => !HIDDEN.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    return `${time} ${level.padEnd(5)} ${String(entry.msg ?? '')}${extras ? `  ${extras}` : ''}`;
  } catch {
    return line;
  }
}
