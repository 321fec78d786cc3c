/**
 * What a person sees on a terminal, cell by cell (@xterm/headless): each row's text, where it ends in cells
 * (a CJK character takes two), and whether it is the continuation of a wrapped line.
 *
 * Bytes written to a `MemoryStream` have not been through a tty driver, which turns "\n" into "\r\n"
 * (onlcr) on its way to a real terminal; the emulator is set to do the same (`convertEol`), otherwise the
 * second line of a multi-line frame would start where the first one ended.
 */
import xterm from '@xterm/headless';

const { Terminal } = xterm as unknown as { Terminal: typeof import('@xterm/headless').Terminal };

export interface CellRow {
  /** The row's text, right-trimmed. */
  text: string;
  /** Cells up to and including the last non-blank one (0 for an empty row). */
  extent: number;
  /** Whether this row continues the row above (the line wrapped). */
  wrapped: boolean;
  /** The row cell by cell: a wide character fills its first cell and leaves '' in its second. */
  cells: string[];
}

export interface TtyScreen {
  /** The visible rows. */
  rows: CellRow[];
  /** The visible rows' text without trailing empty rows, joined by newlines. */
  text: string;
  /** Whether the cursor is shown (DECTCEM). */
  cursorVisible: boolean;
}

export async function renderTty(bytes: string, cols = 80, rows = 24): Promise<TtyScreen> {
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000, convertEol: true });
  await new Promise<void>((resolve) => term.write(bytes, resolve));
  const buffer = term.buffer.active;
  const out: CellRow[] = [];
  for (let y = 0; y < rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    if (line === undefined) {
      out.push({ text: '', extent: 0, wrapped: false, cells: [] });
      continue;
    }
    let extent = 0;
    const cells: string[] = [];
    for (let x = 0; x < line.length; x++) {
      const cell = line.getCell(x);
      const chars = cell === undefined ? ' ' : cell.getWidth() === 0 ? '' : cell.getChars() || ' ';
      cells.push(chars);
      if (chars !== '' && chars !== ' ') extent = x + Math.max(cell?.getWidth() ?? 1, 1);
    }
    out.push({ text: line.translateToString(true), extent, wrapped: line.isWrapped, cells: cells.slice(0, extent) });
  }
  const texts = out.map((r) => r.text);
  while (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
  const hidden = (term as unknown as { _core?: { coreService?: { isCursorHidden?: boolean } } })._core?.coreService
    ?.isCursorHidden;
  term.dispose();
  return { rows: out, text: texts.join('\n'), cursorVisible: hidden !== true };
}

/** The visible rows, cell by cell. */
export async function renderCells(bytes: string, cols = 80, rows = 24): Promise<CellRow[]> {
  return (await renderTty(bytes, cols, rows)).rows;
}
