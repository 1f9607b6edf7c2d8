/** One `Host` block of `vagrant ssh-config`. */
export interface SshConfigHost {
  /** The `Host` alias: Vagrant's machine name. */
  name: string;
  hostName: string;
  user: string;
  port: number;
  /** Absolute paths; Vagrant lists one per key it may use. */
  identityFiles: string[];
  /** Every option as written, keys lowercased (ssh_config keywords are case-insensitive). */
  options: Record<string, string>;
}

/** Parses the `Host` blocks of `vagrant ssh-config` output. */
export function parseSshConfig(output: string): SshConfigHost[] {
  const hosts: SshConfigHost[] = [];
  let current: SshConfigHost | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s*(?:=\s*|\s)(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    const value = unquote(match[2]!.trim());
    if (key === 'host') {
      current = { name: value, hostName: value, user: '', port: 22, identityFiles: [], options: {} };
      hosts.push(current);
      continue;
    }
    if (!current) continue;
    current.options[key] = value;
    if (key === 'hostname') current.hostName = value;
    else if (key === 'user') current.user = value;
    else if (key === 'port') current.port = Number(value);
    else if (key === 'identityfile') current.identityFiles.push(value);
  }
  return hosts;
}

// Vagrant quotes a value that holds spaces (an IdentityFile under a folder with a space).
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
