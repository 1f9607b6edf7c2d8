import net from 'node:net';

// How verify names things in its messages, in one place so they read alike.

/** A socket error in a few words: its code (`ECONNREFUSED`) when it has one, else its message. */
export function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

/** `10.77.0.11:8600`, or `[::1]:8600`. */
export function hostPort(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `1 instance`, `2 instances`; `many` for a word that takes more than an "s" (`addresses`). */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
