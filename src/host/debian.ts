import { probe } from './run.ts';

/** The installed version of a Debian package on the host, or undefined when it is not installed. */
export async function installedVersion(pkg: string): Promise<string | undefined> {
  const result = await probe('dpkg-query', ['-W', '-f', '${Status}\\t${Version}', pkg]);
  const [status, version] = result.stdout.split('\t');
  return result.ok && status === 'install ok installed' ? version : undefined;
}
