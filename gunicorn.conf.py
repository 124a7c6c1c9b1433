"""How gunicorn serves the site in production (the Procfile's `web`) and in `make bench-pages`.

gunicorn reads this file from the directory it starts in; flags on its command line win.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = 2
timeout = 30
graceful_timeout = 30
# One request per connection. A kept-alive connection stays with the worker that
# accepted it, so a handful of them (a proxy's pool, the bench's clients) can pile
# onto one worker while another idles: with 8 clients on 2 workers the split was
# 6 to 2, and the crowded worker's queue set every page's slowest answers. Without
# keep-alive each request goes to whichever worker accepts it first, and a busy one
# is slower to. The TLS-terminating proxy in front keeps browsers' connections open.
keepalive = 0
max_requests = 2000
max_requests_jitter = 200
# Access lines on stdout; WEB_ACCESS_LOG="" turns them off (the pages bench does).
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
