/** An in-memory output stream that records every write, optionally claiming to be a terminal. */
export class MemoryStream {
  readonly writes: string[] = [];
  isTTY: boolean;
  columns: number | undefined;
  rows: number | undefined;

  constructor(options: { isTTY?: boolean; columns?: number; rows?: number } = {}) {
    this.isTTY = options.isTTY ?? false;
    this.columns = options.columns;
    this.rows = options.rows;
  }

  write(chunk: string | Uint8Array): boolean {
    this.writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }

  /** Everything written, concatenated. */
  get text(): string {
    return this.writes.join('');
  }

  /** Non-empty lines of plain output. */
  get lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }
}
