/** A manual clock in milliseconds, for the `clock` option. */
export class FakeClock {
  now = 0;
  readonly read = (): number => this.now;

  advance(ms: number): void {
    this.now += ms;
  }
}
