"""Run every benchmark in its own process and print its figures (make bench)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("bench_parse.py", "bench_genre.py", "bench_assess.py", "bench_calibration.py",
               "bench_suite.py", "bench_scale.py"):
    print(f"== {script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script)], check=True)
