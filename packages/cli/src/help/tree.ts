// The command tree as plain data, read from commander's own definitions, so the man page
// and the shell completions say exactly what `--help` says.
import type { Command, Option } from 'commander';

export interface OptionInfo {
  flags: string;
  short?: string;
  long?: string;
  description: string;
  /** The value's name when the option takes one (`<file>`), else null. */
  value: string | null;
  choices: readonly string[];
  defaultValue?: string;
}

export interface ArgumentInfo {
  name: string;
  description: string;
  required: boolean;
  choices: readonly string[];
}

export interface CommandInfo {
  /** Words from the top: [] for nimbus itself, ['analyze', 'show'] for a subcommand. */
  path: string[];
  description: string;
  options: OptionInfo[];
  args: ArgumentInfo[];
  commands: CommandInfo[];
  afterHelp: string;
}

function optionInfo(o: Option): OptionInfo {
  const value = /<[^>]+>|\[[^\]]+\]/.exec(o.flags)?.[0] ?? null;
  const info: OptionInfo = { flags: o.flags, description: o.description, value, choices: o.argChoices ?? [] };
  if (o.short) info.short = o.short;
  if (o.long) info.long = o.long;
  // Only defaults a person would type are worth printing (not false, not []).
  if (typeof o.defaultValue === 'string' && value !== null) info.defaultValue = o.defaultValue;
  return info;
}

/** Text added with addHelpText('after', ...), which commander keeps only as a listener. */
function afterHelpOf(cmd: Command): string {
  let text = '';
  type Listener = (ctx: { error: boolean; command: Command; write: (s: string) => void }) => void;
  const listeners = (cmd as unknown as { listeners(e: string): Listener[] }).listeners('afterHelp');
  for (const l of listeners)
    l({
      error: false,
      command: cmd,
      write: (s) => {
        text += s;
      },
    });
  return text.trim();
}

export function commandTree(cmd: Command, path: string[] = []): CommandInfo {
  const help = cmd.createHelp();
  const options = help.visibleOptions(cmd).map(optionInfo);
  return {
    path,
    description: cmd.description(),
    options,
    args: cmd.registeredArguments.map((a) => ({ name: a.name(), description: a.description, required: a.required, choices: a.argChoices ?? [] })),
    commands: help
      .visibleCommands(cmd)
      .filter((c) => c.name() !== 'help')
      .map((c) => commandTree(c, [...path, c.name()])),
    afterHelp: afterHelpOf(cmd),
  };
}

/** Every command of the tree, depth first, the top first. */
export function allCommands(t: CommandInfo): CommandInfo[] {
  return [t, ...t.commands.flatMap(allCommands)];
}
