/**
 * Frame layout: live bars in a stable order (top-level bars in the order they opened, each followed by its
 * nested bars, recursively), cut to the terminal's height with a "… N more" line.
 */
import type { Drawable } from './drawable.js';

/** Tree order: parents before children, siblings in opening order (the order of `live`). */
export function frameOrder(live: readonly Drawable[]): Drawable[] {
  if (live.every((b) => b.parent === undefined)) return [...live];
  const children = new Map<Drawable | undefined, Drawable[]>();
  for (const bar of live) {
    const parent = bar.parent !== undefined && live.includes(bar.parent) ? bar.parent : undefined;
    const list = children.get(parent);
    if (list) list.push(bar);
    else children.set(parent, [bar]);
  }
  const out: Drawable[] = [];
  const visit = (parent: Drawable | undefined): void => {
    for (const bar of children.get(parent) ?? []) {
      out.push(bar);
      visit(bar);
    }
  };
  visit(undefined);
  return out;
}

/**
 * At most `maxLines` lines: when there are more, the first `maxLines − 1` and a last line saying how many
 * bars are not shown. A frame taller than the screen would scroll, and the part scrolled away could never
 * be redrawn or erased.
 */
export function fitHeight(lines: readonly string[], maxLines: number): string[] {
  if (lines.length <= maxLines) return [...lines];
  if (maxLines <= 0) return [];
  const shown = lines.slice(0, maxLines - 1);
  shown.push(`… ${lines.length - shown.length} more`);
  return shown;
}
