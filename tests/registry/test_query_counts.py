"""List endpoints run a fixed number of queries however many rows they return (no N+1)."""

import pytest
from sqlalchemy import event

LISTS = [
    "/api/v1/sites",
    "/api/v1/persons",
    "/api/v1/units",
    "/api/v1/projects",
    "/api/v1/assets",
    "/api/v1/agreements",
    "/api/v1/organisations",
]


def queries_for(api, connection, url: str, limit: int) -> int:
    api.token("host.commander")  # sign in outside the count
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(connection, "before_cursor_execute", count)
    try:
        response = api.get(url, "host.commander", params={"limit": limit})
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert response.status_code == 200 and len(response.json()["items"]) > 1
    return len(statements)


@pytest.mark.parametrize("url", LISTS)
def test_list_query_count_does_not_grow_with_the_page(api, connection, url):
    assert queries_for(api, connection, url, 2) == queries_for(api, connection, url, 50)
