"""Run many `cloud-init devel net-convert` jobs in one Python process (in the chroot).

Importing cloud-init costs about a second; the differential corpus has hundreds of
(input, renderer) jobs, so the imports are done once and each job runs in a forked
child, which keeps jobs apart (net-convert edits its distro's renderer configs in place).
Usage: net-convert-batch.py JOBS.json, where JOBS.json is a list of
{"id": ID, "args": [net-convert arguments]}; each job's exit status and stderr are
written to DIR/ID.rc and DIR/ID.err, DIR being the directory of JOBS.json.
"""
import json
import os
import sys

from cloudinit.cmd.devel import net_convert

jobs_file = sys.argv[1]
out_dir = os.path.dirname(os.path.abspath(jobs_file))
with open(jobs_file) as f:
    jobs = json.load(f)

for job in jobs:
    err_path = os.path.join(out_dir, job["id"] + ".err")
    pid = os.fork()
    if pid == 0:
        fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 2)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        rc = 0
        try:
            args = net_convert.get_parser().parse_args(job["args"])
            net_convert.handle_args("net-convert", args)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except BaseException:
            import traceback

            traceback.print_exc()
            rc = 1
        sys.stderr.flush()
        os._exit(rc)
    _, status = os.waitpid(pid, 0)
    with open(os.path.join(out_dir, job["id"] + ".rc"), "w") as f:
        f.write(str(os.waitstatus_to_exitcode(status)))
