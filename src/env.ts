/**
 * Environment switches, read when a bar is created (never at import time).
 * - `TAQADDUM_DISABLE`: any value except '', '0' or 'false' turns every bar off.
 * - `TERM=dumb`: the terminal cannot move the cursor, so output is plain lines.
 */
export function envDisabled(): boolean {
  const v = process.env.TAQADDUM_DISABLE;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

export function dumbTerminal(): boolean {
  return process.env.TERM === 'dumb';
}
