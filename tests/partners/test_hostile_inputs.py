"""Every partner API endpoint walked with the hostile inputs of bench/hostile.py (the
same list `.ci/api-contract` sends to gunicorn): no answer may be a server error."""

import pytest
from django.db import DatabaseError, transaction

from bench import hostile
from partners.models import ApiKey

pytestmark = pytest.mark.django_db


def test_no_hostile_input_to_any_endpoint_gets_a_server_error(published, client):
    plain = ApiKey.objects.create_key("Hostile partner", rate_limit=10**6)[1]
    client.raise_request_exception = False  # a server error is an answer to count, not a crash

    def get_json(path):
        response = client.get(path, headers={"Authorization": f"Bearer {plain}", "Accept": "application/json"})
        return response.json() if response.status_code == 200 else None

    def send(case):
        headers = {"Authorization": f"Bearer {plain}"} if case.authenticated else {}
        headers.update(case.headers)
        response = client.generic(
            case.method, case.path, case.body or b"", content_type=case.content_type or "", headers=headers
        )
        if response.streaming:
            b"".join(response.streaming_content)  # an export: read it to the end, as a client would
        return response.status_code

    schema = get_json("/api/v1/schema/?format=json")
    cases = list(hostile.cases(schema, hostile.sample_ids(schema, get_json)))
    assert {case.label.split(":")[0] for case in cases} >= {
        "GET /api/v1/entities/",
        "GET /api/v1/entities/{id}/",
        "GET /api/v1/sanctions/",
        "GET /api/v1/sources/{id}/",
        "GET /api/v1/changes/",
        "GET /api/v1/exports/{filename}",
        "POST /api/v1/match/",
    }
    failures = []
    for case in cases:
        try:
            with transaction.atomic():  # a failed statement must not spoil the cases after it
                status = send(case)
        except DatabaseError as exc:
            status = f"database error {exc.__class__.__name__}"
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{status} {case.label}")
    assert failures == [], f"{len(failures)} of {len(cases)} hostile requests failed:\n" + "\n".join(failures)
