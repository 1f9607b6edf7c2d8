export { connect, type ConnectOptions } from './connect.ts';
export type { Remote, ExecOptions, ExecResult, UploadSource, UploadOptions } from './remote.ts';
export { checkExit } from './ssh-remote.ts';
export { script, commandLine, displayCommand, quoteArgv, type Command, type Script } from './quote.ts';
export { forgetHostKeys, fingerprint } from './known-hosts.ts';
export type { NodeEndpoint } from './endpoint.ts';
export { RemoteCommandError, RemoteConnectError, HostKeyError } from '../errors.ts';
