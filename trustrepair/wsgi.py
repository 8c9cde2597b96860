"""The WSGI application gunicorn serves (`trustrepair.wsgi`).

Each request runs at the start of a stack chunk of its own. CPython 3.11 keeps frames in
16 kB chunks and frees a chunk as soon as the frame that opened it returns, so a loop whose
calls cross a chunk's edge maps and unmaps memory on every call (python/cpython#142183,
fixed upstream by keeping a chunk). Where the edges fall depends on how deep the server
calls the app: under gunicorn, a form's fields crossed one hundreds of times per page, the
settings page's 600 time zones 4,089 times (43 ms, against 16 ms in process). The frame of
`_in_a_chunk_of_its_own` asks for about a megabyte, so CPython opens a chunk for it with
as much room again for every frame the request makes: one map and unmap per request. (A
frame object made for it, by a tracer or inspect.stack(), is as large: a megabyte, freed
with it.)

What loading the application made (Django, the apps, their modules and settings: some 73,000
objects the collector tracks) lives as long as the process, so it is frozen out of garbage
collection: a full collection, every few hundred Kept / Undo clicks, went through all of it
again for the thousand or two objects the requests had left in cycles (44-58 ms of CPU a
collection under the benchmark's clicks here, 10-17 ms once frozen; what is left is mostly
what the first requests load: templates, translations, the caches). Collecting first keeps
start-up garbage out of the frozen generation; frozen objects are still freed as soon as
nothing refers to them.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustrepair.settings")

django_application = get_wsgi_application()
gc.collect()
gc.freeze()

# Value-stack slots the frame reserves (8 bytes each) and never uses: only room.
FRAME_ROOM = 131_072


def _in_a_chunk_of_its_own(environ, start_response):
    return django_application(environ, start_response)


_in_a_chunk_of_its_own.__code__ = _in_a_chunk_of_its_own.__code__.replace(co_stacksize=FRAME_ROOM)
application = _in_a_chunk_of_its_own
