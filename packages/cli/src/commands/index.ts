// Every subcommand, registered in the order `nimbus --help` lists them.
import { addCommands } from '../program.js';
import { registerNetConvert } from './net-convert.js';

addCommands(registerNetConvert);
