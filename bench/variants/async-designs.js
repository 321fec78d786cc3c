/**
 * Issue 13, target 3: the designs tried for `for await (const x of progress(asyncGen))` with the total
 * unknown, each as a minimal adapter counting into a real bar (`progress.bar()`, through the same
 * counting entry points as src/adapters/async.ts: `add(k)`, or `flushed(k, items)` + `lap()` for a lazy
 * count), so that the core suite can time them in the same run as the shipped adapter and the bare loop.
 * Not part of the package: only what each design costs per item is kept; errors, `return()` and
 * weights are left to the shipped adapter (they are off the per-item path).
 *
 * Each export takes `(source, bar)` and returns an async iterable of the source's values.
 */

/** (a0) A closure per item: `source.next().then((r) => …)`, the item counted when the next is asked for. */
export function closurePerItem(source, bar) {
  const it = source[Symbol.asyncIterator]();
  let pending = 0;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      bar.add(pending);
      pending = 0;
      return it.next().then(
        (r) => {
          if (r.done) bar.closeAs('done');
          else pending = 1;
          return r;
        },
        (e) => {
          bar.closeAs('failed');
          throw e;
        },
      );
    },
  };
}

/** (a) One shared handler made once (`.then(onResult, onError)`): still a derived promise per item. */
export function sharedHandler(source, bar) {
  const it = source[Symbol.asyncIterator]();
  let pending = 0;
  const onResult = (r) => {
    if (r.done) bar.closeAs('done');
    else pending = 1;
    return r;
  };
  const onError = (e) => {
    bar.closeAs('failed');
    throw e;
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      bar.add(pending);
      pending = 0;
      return it.next().then(onResult, onError);
    },
  };
}

/** (b) An `async next()` that `await`s the source's result. */
export function asyncMethod(source, bar) {
  const it = source[Symbol.asyncIterator]();
  let pending = 0;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      bar.add(pending);
      pending = 0;
      let r;
      try {
        r = await it.next();
      } catch (e) {
        bar.closeAs('failed');
        throw e;
      }
      if (r.done) bar.closeAs('done');
      else pending = 1;
      return r;
    },
  };
}

/** (d) An `async function*` wrapper: `for await` over the source inside, `yield` each value. */
export function asyncGeneratorWrapper(source, bar) {
  return (async function* wrap() {
    let ok = false;
    try {
      for await (const x of source) {
        yield x;
        bar.add(1);
      }
      ok = true;
    } finally {
      bar.closeAs(ok ? 'done' : 'stopped');
    }
  })();
}

/** (d′) `yield*` the source from an `async function*`: no count at all (it has no per-item hook): its floor. */
export function yieldStar(source, bar) {
  return (async function* wrap() {
    try {
      yield* source;
    } finally {
      bar.closeAs('done');
    }
  })();
}

/**
 * A lazy count like the shipped fast path: `next()` counts the call; each call proves the one before it
 * was an item, the last one's item is in the loop body. The bar brings the count in (`flush`) before it
 * reads it, and the adapter laps the bar when its countdown runs out.
 */
class LazyCount {
  constructor(source, bar) {
    this.it = source[Symbol.asyncIterator]();
    this.bar = bar;
    this.calls = 0;
    this.flushedCalls = 0;
    this.pending = 0;
    this.lapAt = 1;
    this.closed = false;
    bar.iteration = this;
  }
  get inItem() {
    return this.calls > this.flushedCalls || this.pending !== 0;
  }
  flush() {
    const unread = this.calls - this.flushedCalls;
    if (unread > 0) {
      this.flushedCalls = this.calls;
      this.bar.flushed(this.pending + unread - 1, unread);
      this.pending = 1;
    }
  }
  tick() {
    this.flush();
    if (this.bar.countdown <= 0) this.bar.lap();
    this.lapAt = this.calls + Math.max(1, this.bar.countdown);
  }
  close(outcome) {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.pending = 0;
    this.bar.closeAs(outcome);
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

/**
 * (c) Peek: hand back the source's own promise untouched, and read its result beside the loop with one
 * shared reaction registered on it first, so it runs just before the loop's own: `done` (or a rejection)
 * closes the bar before the code after the loop runs. Counting lazy. What src/adapters/async.ts ships.
 */
class Peek extends LazyCount {
  constructor(source, bar) {
    super(source, bar);
    this.onPeek = (r) => {
      if (r.done) this.close('done');
    };
    this.onPeekError = () => this.close('failed');
  }
  next() {
    const promise = this.it.next();
    if (++this.calls >= this.lapAt) this.tick();
    promise.then(this.onPeek, this.onPeekError);
    return promise;
  }
}
export const peek = (source, bar) => new Peek(source, bar);

/**
 * (c‴) Peek at every 16th result only: a sixteenth of the reactions, but the end is missed 15 times in
 * 16 (the loop then goes on before the bar closes). Measured to show what a partial read would save.
 */
class PeekEvery16 extends Peek {
  next() {
    const promise = this.it.next();
    if (++this.calls >= this.lapAt) this.tick();
    if ((this.calls & 15) === 0) promise.then(this.onPeek, this.onPeekError);
    return promise;
  }
}
export const peekEvery16 = (source, bar) => new PeekEvery16(source, bar);

/**
 * (b′) Peek with `await` instead of `then`: an async function started on each promise before the loop
 * gets it (V8's `await` makes no throwaway promise, but the call makes the function's own).
 */
class AwaitBeside extends LazyCount {
  constructor(source, bar) {
    super(source, bar);
    this.watch = async (promise) => {
      let r;
      try {
        r = await promise;
      } catch {
        this.close('failed');
        return;
      }
      if (r.done) this.close('done');
    };
  }
  next() {
    const promise = this.it.next();
    if (++this.calls >= this.lapAt) this.tick();
    this.watch(promise);
    return promise;
  }
}
export const awaitBeside = (source, bar) => new AwaitBeside(source, bar);

/**
 * (c′) Never read: the source's promise handed back untouched, counted lazily, nothing registered on
 * it. The floor of any wrapper; it cannot see the end, so the bar would close late (the shipped
 * adapter does this only while a known total is ahead: see src/adapters/async.ts).
 */
class Unread extends LazyCount {
  next() {
    const promise = this.it.next();
    if (++this.calls >= this.lapAt) this.tick();
    return promise;
  }
}
export const unread = (source, bar) => new Unread(source, bar);

/** The cost of the peek's reaction alone: the bare loop plus one `promise.then(noop, noop)` per item, no bar. */
export function reactionOnly(source) {
  const it = source[Symbol.asyncIterator]();
  const noop = () => undefined;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      const promise = it.next();
      promise.then(noop, noop);
      return promise;
    },
  };
}

/** A pass-through with no reaction and no bar: what one more `next()` call costs. */
export function passThrough(source) {
  const it = source[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      return it.next();
    },
  };
}

