/**
 * Frame layout: live bars in a stable order (top-level bars in the order they opened, each followed by its
 * nested bars, recursively), cut to the terminal's height with a "… N more" line.
 *
 * Nesting can be as deep as the program's own recursion (a recursive function with a loop at each level):
 * nothing here recurses, so a depth the program survives never overflows the stack in here.
 */
/** A live bar as the renderer keeps it: what it is drawn under. */
export interface Nested<T> {
  readonly parent: T | undefined;
}

/** Tree order: parents before children, siblings in opening order (the order of `live`). */
export function frameOrder<T extends Nested<T>>(live: readonly T[]): T[] {
  if (live.every((b) => b.parent === undefined)) return [...live];
  const isLive = new Set(live);
  const children = new Map<T | undefined, T[]>();
  for (const bar of live) {
    const parent = bar.parent !== undefined && isLive.has(bar.parent) ? bar.parent : undefined;
    const list = children.get(parent);
    if (list) list.push(bar);
    else children.set(parent, [bar]);
  }
  // Depth-first with a stack of sibling lists and positions in them, instead of recursion.
  const out: T[] = [];
  const lists: T[][] = [children.get(undefined) ?? []];
  const next: number[] = [0];
  while (lists.length > 0) {
    const top = lists.length - 1;
    const list = lists[top] as T[];
    const i = next[top] as number;
    if (i >= list.length) {
      lists.pop();
      next.pop();
      continue;
    }
    next[top] = i + 1;
    const bar = list[i] as T;
    out.push(bar);
    const nested = children.get(bar);
    if (nested !== undefined) {
      lists.push(nested);
      next.push(0);
    }
  }
  return out;
}

/**
 * At most `maxLines` lines: when there are more, the first `maxLines − 1` and a last line saying how many
 * lines are not shown (bars, and the lines a bar draws under itself, such as a task bar's stragglers). A frame taller than the screen would scroll, and the part scrolled away could never
 * be redrawn or erased.
 */
export function fitHeight(lines: readonly string[], maxLines: number): string[] {
  if (lines.length <= maxLines) return [...lines];
  if (maxLines <= 0) return [];
  const shown = lines.slice(0, maxLines - 1);
  shown.push(`… ${lines.length - shown.length} more`);
  return shown;
}
