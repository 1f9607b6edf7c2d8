import { join } from 'node:path';
export const PRODUCTS = ['consul', 'nomad'] as const;
export type Product = (typeof PRODUCTS)[number];
/** Nomad task driver plugins nomad-lab builds from a pinned source archive: `hashicorp/<plugin>/build.json`. */
export const PLUGINS = ['nomad-driver-podman'] as const;
export type Plugin = (typeof PLUGINS)[number];
/** What the artifact cache holds: Consul, Nomad and the plugins, each under its release name. */
export type ArtifactName = Product | Plugin;

export const isPlugin = (name: ArtifactName): name is Plugin => (PLUGINS as readonly string[]).includes(name);

/** HashiCorp's name for the nodes' platform: the nodes are Linux on the host's CPU architecture. */
export function nodePlatform(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };
  return `linux_${names[arch] ?? arch}`;
}

/** The version a `consul version` / `nomad version` prints on its first line, e.g. `Consul v1.22.7`. */
export function parseVersionOutput(product: Product, stdout: string): string | undefined {
  const name = product === 'consul' ? 'Consul' : 'Nomad';
  return new RegExp(`^${name} v(\\d+\\.\\d+\\.\\d+)(?=\\s|$)`, 'm').exec(stdout)?.[1];
}

/** Where the cache keeps a product's binary: one folder per version and platform. */
export function artifactPath(cacheDir: string, product: ArtifactName, version: string, platform: string): string {
  return join(cacheDir, 'artifacts', product, version, platform, product);
}
