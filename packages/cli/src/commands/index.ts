// Every subcommand, registered in the order `nimbus --help` lists them.
import { addCommands } from '../program.js';
import { registerStageCommands } from './stage-commands.js';
import { registerStatus } from './status.js';
import { registerQuery } from './query.js';
import { registerClean } from './clean.js';
import { registerMakeMime } from './make-mime.js';
import { registerSchema } from './schema.js';

addCommands(registerStageCommands, registerStatus, registerQuery, registerClean, registerMakeMime, registerSchema);
