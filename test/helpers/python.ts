// The Python the tests compare with: Debian's own, where apt puts python3-yaml and where
// the reference's modules import from. A `python3` found first on PATH (a pyenv shim, a
// venv) may lack those packages, and a shim costs a quarter of a second per call.
import * as fs from 'node:fs';

export const PYTHON3 = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
