// Every subcommand, registered in the order `nimbus --help` lists them.
import { addCommands } from '../program.js';
import { registerMakeMime } from './make-mime.js';

addCommands();
addCommands(registerMakeMime);
