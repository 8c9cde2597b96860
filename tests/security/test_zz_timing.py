import time
from django.test import Client
from journal.models import Relationship
from datetime import date

def test_timing(alice, lessons):
    t=time.perf_counter()
    from django.core.management import call_command
    import tests.conftest as c
    call_command("loaddata", *sorted(str(p) for p in c._fixture_files()), verbosity=0)
    print("loaddata", time.perf_counter()-t)
    r = Relationship.objects.create(owner=alice, name="Sam", kind="partner", breach_cause="lie", breach_date=date(2025,1,1), starting_trust=3)
    cl = Client(); cl.force_login(alice)
    for htmx in (False, True):
        t=time.perf_counter()
        for i in range(50):
            resp = cl.post("/journal/promises/new/", {"relationship": r.pk, "text": "", "due_date":"x", "size":"small"}, HTTP_HX_REQUEST="true" if htmx else None) if htmx else cl.post("/journal/promises/new/", {"relationship": r.pk, "text": "", "due_date":"x", "size":"small"})
        print("htmx" if htmx else "full", (time.perf_counter()-t)/50, resp.status_code)
    t=time.perf_counter()
    for i in range(50):
        resp = cl.post(f"/journal/relationships/{r.pk}/check-ins/new/", {"felt_trust": "x"}, HTTP_HX_REQUEST="true")
    print("checkin", (time.perf_counter()-t)/50, resp.status_code)
