// Every subcommand, registered in the order `nimbus --help` lists them.
import { addCommands } from '../program.js';
import { registerStageCommands } from './stage-commands.js';
import { registerStatus } from './status.js';
import { registerQuery } from './query.js';
import { registerClean } from './clean.js';
import { registerMakeMime } from './make-mime.js';
import { registerSysvinit } from './sysvinit.js';
import { registerDoctor } from './doctor.js';
import { registerAnalyze } from './analyze.js';
import { registerCollectLogs } from './collect-logs.js';
import { registerNetConvert } from './net-convert.js';
import { registerPer } from './per.js';

import { registerSchema } from './schema.js';
import { registerTry } from './try.js';
import { registerFeatures } from './features.js';
import { registerDhclientHook } from './dhclient-hook.js';
import { registerRender } from './render.js';
import { registerHotplugHook } from './hotplug-hook.js';
import { registerHelpFiles } from './help-files.js';

addCommands(
  registerStageCommands,
  registerStatus,
  registerQuery,
  registerClean,
  registerAnalyze,
  registerCollectLogs,
  registerSchema,
  registerTry,
  registerSysvinit,
  registerDoctor,
  registerNetConvert,
  registerMakeMime,
  registerFeatures,
  registerDhclientHook,
  registerRender,
  registerHotplugHook,
  registerHelpFiles,
  registerPer,
);
