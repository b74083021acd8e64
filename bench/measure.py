# Runs one command and writes {"ms", "rss_kb", "code"} to a file: wall time around the
# command alone (so namespace set-up is not counted) and the peak RSS of its largest
# process (RUSAGE_CHILDREN), which Node cannot read for a child.
#   python3 measure.py OUT.json -- CMD [ARG...]
import json, resource, subprocess, sys, time

out = sys.argv[1]
cmd = sys.argv[sys.argv.index("--") + 1:]
t0 = time.perf_counter()
p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
ms = (time.perf_counter() - t0) * 1000
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    json.dump({"ms": round(ms, 2), "rss_kb": ru.ru_maxrss, "code": p.returncode}, f)
