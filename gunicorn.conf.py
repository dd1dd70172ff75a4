"""Gunicorn settings for production: `gunicorn tracker.wsgi` reads this file from the working
directory. Every value can be overridden on the command line or through the environment."""

import multiprocessing
import os

# Loopback by default: a TLS-terminating proxy in front forwards to it.
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Synchronous workers: each request is a few short queries and CPU-bound serialization, so one
# process per request in flight; 2 per core plus 1 covers the time spent waiting on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Load the app once in the master, so workers fork with the code already imported.
preload_app = True
# The largest export, the XLSX of 100,000 projects, takes a few seconds (README, "Cost
# at scale"); 60 s leaves room for a slower machine. Raise it with GUNICORN_TIMEOUT for larger data.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5  # behind a reverse proxy holding keep-alive connections
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None  # "-" for stdout
errorlog = "-"
# The longest request line gunicorn takes (its maximum; the default is 4094), so that every
# URL the app can answer reaches it: the app refuses a too-long `q` (over 200 characters) or
# an unknown parameter itself, in JSON with the security headers. A longer line still gets
# gunicorn's own 414 page, as do headers beyond limit_request_field_size (8190 bytes).
limit_request_line = 8190
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
