// How verify names things in its messages, in one place so they read alike.

/** A socket error's code, and `host:port`: named as the transport names them. */
export { errorText, hostPort } from '../remote/http.ts';

/** `1 instance`, `2 instances`; `many` for a word that takes more than an "s" (`addresses`). */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
