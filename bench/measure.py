# Runs one command and writes {"ms", "cpu_ms", "rss_kb", "code"} to a file: wall time
# around the command alone (so namespace set-up is not counted), the CPU time (user and
# system) of its processes, which other load on the machine barely moves, and the peak
# RSS of its largest process (all from RUSAGE_CHILDREN, which Node cannot read for a
# child).
#   python3 measure.py OUT.json -- CMD [ARG...]
#
# The command gets the environment systemd gives a boot service (PATH and a locale),
# not the caller's: a developer's shell may carry variables that change start-up cost
# (NODE_EXTRA_CA_CERTS alone adds about 100 ms to every Node start here) and that no
# boot has. Both implementations get the same one.
import json, resource, subprocess, sys, time

BOOT_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}

out = sys.argv[1]
cmd = sys.argv[sys.argv.index("--") + 1:]
# This process may be an exec of a shell that already waited for children of its own
# (the namespace set-up): their CPU time is in RUSAGE_CHILDREN too, so count the rise.
ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.perf_counter()
p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=BOOT_ENV)
ms = (time.perf_counter() - t0) * 1000
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    cpu_ms = (ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime) * 1000
    json.dump({"ms": round(ms, 2), "cpu_ms": round(cpu_ms, 2), "rss_kb": ru.ru_maxrss, "code": p.returncode}, f)
