"""What bench/run.py measures with; nothing here is active unless its switch is on.

BENCH=1 routes the floor view (trustrepair.views.floor); BENCH_QUERY_COUNT=1 adds
QueryCountMiddleware. See bench/README.md.
"""

from django.db import connection


class QueryCountMiddleware:
    """Adds X-Query-Count: how many SQL queries the request ran, sessions included.

    It goes first in MIDDLEWARE so the queries of every other middleware are counted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def count_query(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count_query):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
