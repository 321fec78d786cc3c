const names = process.argv.slice(2);
for (const name of names) {
  const t0 = performance.now();
  let last = t0, maxGap = 0;
  const iv = setInterval(() => { const n = performance.now(); if (n - last > maxGap) maxGap = n - last; last = n; }, 1);
  await import(name);
  const n = performance.now();
  if (n - last > maxGap) maxGap = n - last;
  clearInterval(iv);
  console.log(`${name}: ${(n - t0).toFixed(1)} ms, max gap ${maxGap.toFixed(1)} ms`);
}
