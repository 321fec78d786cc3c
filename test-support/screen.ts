/**
 * Feeds bytes to a real terminal emulator (@xterm/headless) and reads back what a person would see.
 * `convertEol` plays the part of the tty driver, which turns "\n" into "\r\n" on the way to the screen
 * (bytes from a real pty have had that done already; it changes nothing for them).
 */
import xterm from '@xterm/headless';

const { Terminal } = xterm as unknown as { Terminal: typeof import('@xterm/headless').Terminal };

export interface Screen {
  /** The visible rows, right-trimmed. */
  rows: string[];
  /** The visible rows without trailing empty ones. */
  text: string;
  cursor: { x: number; y: number };
  /** Whether the cursor is shown (DECTCEM). */
  cursorVisible: boolean;
}

export async function renderScreen(bytes: string, cols = 80, rows = 24): Promise<Screen> {
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000, convertEol: true });
  await new Promise<void>((resolve) => term.write(bytes, resolve));
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < rows; y++) {
    lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  }
  const trimmed = [...lines];
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === '') trimmed.pop();
  const modes = (term as unknown as { modes?: { showCursor?: boolean } }).modes;
  const hidden = (term as unknown as { _core?: { coreService?: { isCursorHidden?: boolean } } })._core?.coreService
    ?.isCursorHidden;
  const screen: Screen = {
    rows: lines,
    text: trimmed.join('\n'),
    cursor: { x: buffer.cursorX, y: buffer.cursorY },
    cursorVisible: hidden === undefined ? modes?.showCursor !== false : !hidden,
  };
  term.dispose();
  return screen;
}
