"""The application gunicorn serves in the benchmark: trustrepair.wsgi, with each response's
server time in an X-Server-Time header (seconds).

The time runs from the moment the server calls the application to the moment Django hands
it the response's status and headers, by which time the page is rendered: all of Django's
handling, middleware and view, the same for every page and the floor. Left out, and the same
for every page: gunicorn reading the request and writing the response, and the client's own
work, which the times taken from the client include (bench/README.md).
"""

import time

from trustrepair.wsgi import application as served


def application(environ, start_response):
    started = time.perf_counter()

    def start_timed_response(status, headers, exc_info=None):
        headers.append(("X-Server-Time", f"{time.perf_counter() - started:.6f}"))
        return start_response(status, headers, exc_info)

    return served(environ, start_timed_response)
