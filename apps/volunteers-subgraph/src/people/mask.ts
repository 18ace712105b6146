/** The masked form of a real name that anyone may see: the family name, then one `*` per other character (张三 → 张*). */
export function maskName(realName: string): string {
  const [first = '', ...rest] = Array.from(realName.trim());
  return first + '*'.repeat(Math.max(rest.length, 1));
}
