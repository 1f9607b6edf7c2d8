/** Medians from one run: the machines here are noisy, so every round is shown too. */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const fmt = (xs: readonly number[]): string =>
  `median ${median(xs).toFixed(1)} s (${xs.map((x) => x.toFixed(1)).join(', ')})`;
export const fmtMs = (seconds: readonly number[]): string =>
  `median ${(median(seconds) * 1000).toFixed(0)} ms (${seconds.map((x) => (x * 1000).toFixed(0)).join(', ')})`;
