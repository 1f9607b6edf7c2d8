import type { Cluster } from '../config/load.ts';
import type { Provider } from './provider.ts';
import { SshProvider } from './ssh-provider.ts';
import { VagrantProvider } from './vagrant/vagrant-provider.ts';

export type { BootOptions, MachineState, MachineStatus, NodeEndpoint, Provider } from './provider.ts';
export { SshProvider, sshEndpoints } from './ssh-provider.ts';
export { VagrantProvider } from './vagrant/vagrant-provider.ts';
export { renderVagrantfile } from '../render/vagrantfile.ts';

/** The provider cluster.yaml's `provider.type` names. */
export function providerFor(cluster: Pick<Cluster, 'spec'>): Provider {
  switch (cluster.spec.provider.type) {
    case 'vagrant':
      return new VagrantProvider();
    case 'ssh':
      return new SshProvider();
  }
}
