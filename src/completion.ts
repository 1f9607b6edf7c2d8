/** What completion knows of one command; built from the CLI's own definition, so it cannot drift. */
export interface CompletionCommand {
  name: string;
  /** Every flag, e.g. `-f`, `--file`, `--json`. */
  options: string[];
  /** The flags that take a value (the next word is not an argument). */
  valueOptions: string[];
  /**
   * Per positional argument: the words it takes, or `nodes` (from the cluster file); the last one repeats when `rest`.
   */
  positionals: (readonly string[] | 'nodes')[];
  rest?: boolean;
}

export type Shell = 'bash' | 'zsh';

/** The hidden command the scripts ask for node names: `nomad-lab __nodes --file FILE`. */
export const NODES_COMMAND = '__nodes';

const words = (list: readonly string[]) => list.join(' ');

function cases(
  commands: readonly CompletionCommand[],
  pattern: (c: CompletionCommand) => string,
  body: (c: CompletionCommand) => string,
): string {
  return commands.map((c) => `    ${pattern(c)}) ${body(c)} ;;`).join('\n');
}

/** The positional completions as `CMD:INDEX) words` cases; `nodes` asks nomad-lab. */
function positionalCases(commands: readonly CompletionCommand[], emit: (list: string) => string): string {
  const lines: string[] = [];
  for (const c of commands) {
    c.positionals.forEach((p, i) => {
      const index = c.rest === true && i === c.positionals.length - 1 ? '*' : String(i);
      const list = p === 'nodes' ? `$(nomad-lab ${NODES_COMMAND} --file "$file" 2>/dev/null)` : words(p);
      lines.push(`    ${c.name}:${index}) ${emit(list)} ;;`);
    });
  }
  return lines.join('\n');
}

/**
 * Shell lines shared by both scripts: the words before the cursor give the cluster file
 * (`-f`/`--file`, but `--file` only for logs, whose `-f` is follow) and how many positional
 * arguments are already there (`npos`); the value of an option that takes one is skipped.
 */
function scanWords(commands: readonly CompletionCommand[], array: string, first: number, cursor: string): string {
  return `  case $cmd in
${cases(
  commands,
  (c) => c.name,
  (c) => `values="${words(c.valueOptions)}"`,
)}
  esac
  for (( i = ${first}; i < ${cursor}; i++ )); do
    w=\${${array}[i]}
    if [[ " $values " == *" $w "* ]]; then
      [[ $w == --file || ( $w == -f && $cmd != logs ) ]] && file=\${${array}[i+1]}
      (( i++ ))
    elif [[ $w != -* ]]; then
      (( npos++ ))
    fi
  done`;
}

/** A bash completion script (`source <(nomad-lab completion bash)`). */
export function bashCompletion(commands: readonly CompletionCommand[]): string {
  return `# nomad-lab completion for bash: source <(nomad-lab completion bash)
_nomad_lab() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd=\${COMP_WORDS[1]}
  local file=cluster.yaml npos=0 i w values=""
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=($(compgen -W "${words(commands.map((c) => c.name))}" -- "$cur")); return
  fi
${scanWords(commands, 'COMP_WORDS', 2, 'COMP_CWORD')}
  if [[ " $values " == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur")); return
  fi
  if [[ $cur != -* ]]; then
    case $cmd:$npos in
${positionalCases(commands, (list) => `COMPREPLY=($(compgen -W "${list}" -- "$cur")); return`)}
    esac
  fi
  case $cmd in
${cases(
  commands,
  (c) => c.name,
  (c) => `COMPREPLY=($(compgen -W "${words(c.options)}" -- "$cur"))`,
)}
  esac
}
complete -o default -F _nomad_lab nomad-lab
`;
}

/** A zsh completion script (`source <(nomad-lab completion zsh)`, or saved as _nomad-lab on $fpath). */
export function zshCompletion(commands: readonly CompletionCommand[]): string {
  return `#compdef nomad-lab
# nomad-lab completion for zsh: source <(nomad-lab completion zsh)
_nomad_lab() {
  local cmd=\${words[2]} cur=\${words[CURRENT]} prev=\${words[CURRENT-1]}
  local file=cluster.yaml npos=0 i w values=""
  if (( CURRENT == 2 )); then
    compadd -- ${words(commands.map((c) => c.name))}; return
  fi
${scanWords(commands, 'words', 3, 'CURRENT')}
  if [[ " $values " == *" $prev "* ]]; then
    _files; return
  fi
  if [[ $cur != -* ]]; then
    case $cmd:$npos in
${positionalCases(commands, (list) => `compadd -- \${=\${:-"${list}"}}; return`)}
    esac
  fi
  case $cmd in
${cases(
  commands,
  (c) => c.name,
  (c) => `compadd -- ${words(c.options)}`,
)}
  esac
}
if (( $+functions[compdef] )); then compdef _nomad_lab nomad-lab; fi
`;
}
