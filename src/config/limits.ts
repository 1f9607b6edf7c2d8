/**
 * What a cluster file may hold at most: a file far past these is a mistake or an attack,
 * and each bound keeps reading it fast and its error messages short. The README lists them.
 */
export const LIMITS = {
  /** Bytes of the file: the default cluster.yaml has 2 KiB, and YAML of this size parses in well under a second. */
  fileBytes: 64 * 1024,
  /** Aliases (`*name`) in the file. */
  aliases: 100,
  /** Values the aliases repeat in all, counted as if written out (billion-laughs files). */
  aliasedValues: 10_000,
  /** Entries of `nodes`. */
  nodes: 100,
  /** Healthy instances a service may expect, and answers a `dns` lookup may. */
  serviceCount: 1000,
  /** Entries of `dns`: each is asked of every node. */
  dnsLookups: 64,
  /** Folders under `files.allow_from`. */
  allowFrom: 16,
  /** Bytes of a job file (it is read whole and sent to a server) and of an SSH private key (a few KiB). */
  jobFileBytes: 1024 * 1024,
  keyFileBytes: 64 * 1024,
  /** Bytes of what one command prints about a file's problems, in any format. */
  outputBytes: 64 * 1024,
  /** Characters of one printed problem, its escapes included: issuesShown lines stay under outputBytes. */
  lineChars: 2000,
  /** Characters of a path given in the file. */
  pathChars: 1024,
  /** Problems printed in one error; the rest are counted ("and N more"). */
  issuesShown: 20,
  /** Characters of one problem's message; values quoted in it are cut shorter still (text.ts). */
  messageChars: 1000,
} as const;
