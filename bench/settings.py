"""Production settings, with static files collected into the benchmark's own temp folder."""

import os

from trustrepair.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
