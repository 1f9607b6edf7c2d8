export { connect, type ConnectOptions } from './connect.ts';
export type { Remote, ExecOptions, ExecResult, UploadSource, UploadOptions, UploadResult } from './remote.ts';
export { checkExit } from './ssh-remote.ts';
export { script, commandLine, displayCommand, quoteArgv, type Command, type Script } from './quote.ts';
export { forgetHostKeys, fingerprint } from './known-hosts.ts';
export { parseFileFacts, type FileFacts } from './upload.ts';
export { RemoteCommandError, RemoteConnectError, HostKeyError } from '../errors.ts';
