/**
 * Which block ids (and `trigger`) a body mentions, so the executor loads only
 * those results. Over-inclusion (an id inside a string) costs one extra read;
 * property accesses like `x.orders` are not mentions.
 */
// A single `.` before the name is a property access; `...` (spread) is not.
const IDENTIFIER = /(?<![$\w])(?<!(?:^|[^.])\.)[A-Za-z_$][\w$]*/g;

export function findMentions(text: string, candidates: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(IDENTIFIER)) {
    if (candidates.has(match[0])) found.add(match[0]);
  }
  return [...found].sort();
}
