// `devel man` and `devel completion bash|zsh`: nimbus(1) and the shell completions,
// written from the commands' own definitions (what the packages install).
import { Argument } from 'commander';
import { develCommand, type Register } from '../program.js';
import { renderBashCompletion, renderZshCompletion } from '../help/completion.js';
import { renderMan } from '../help/man.js';
import { commandTree } from '../help/tree.js';

export const registerHelpFiles: Register = (program) => {
  const devel = develCommand(program);
  devel
    .command('man')
    .description("print the nimbus(1) man page (roff), written from every command's help")
    .action(() => {
      process.stdout.write(renderMan(commandTree(program)));
    });
  devel
    .command('completion')
    .description('print the shell completion script for nimbus and cloud-init')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      const tree = commandTree(program);
      process.stdout.write(shell === 'bash' ? renderBashCompletion(tree) : renderZshCompletion(tree));
    });
};
