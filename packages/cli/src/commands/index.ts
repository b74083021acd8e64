// Every subcommand, registered in the order `nimbus --help` lists them.
import { addCommands } from '../program.js';
import { registerSysvinit } from './sysvinit.js';
import { registerDoctor } from './doctor.js';

addCommands(registerSysvinit, registerDoctor);
