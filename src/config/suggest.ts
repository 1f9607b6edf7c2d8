import { closest, distance } from 'fastest-levenshtein';

/** The candidate a typo most likely meant, or undefined when none is close. */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(input.toLowerCase(), [...candidates]);
  const limit = Math.max(1, Math.floor(Math.max(input.length, best.length) / 3));
  return distance(input.toLowerCase(), best) <= limit ? best : undefined;
}

export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
