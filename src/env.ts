// Every environment variable nomad-lab reads, in one place (README: "Environment").

const read = (name: string): string | undefined => process.env[name] || undefined;

export const env = {
  /** Where downloaded and built things are kept (default: `$XDG_CACHE_HOME/nomad-lab`, else `~/.cache/nomad-lab`). */
  cacheDir: () => read('NOMAD_LAB_CACHE'),
  xdgCacheHome: () => read('XDG_CACHE_HOME'),
  /** The Debian mirror debootstrap builds the node image from. */
  debianMirror: () => read('NOMAD_LAB_DEBIAN_MIRROR'),
  /** HashiCorp's release archives (or a mirror of them). */
  releasesUrl: () => read('NOMAD_LAB_RELEASES_URL'),
  /** The SSH agent, for existing hosts without a key file. */
  sshAuthSock: () => read('SSH_AUTH_SOCK'),
  /** Set by CI systems: plain progress lines instead of the live renderer. */
  ci: () => Boolean(read('CI')),
};
