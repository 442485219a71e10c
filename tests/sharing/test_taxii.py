"""The node's TAXII 2.1 server, read by taxii2-client as the other node would: discovery, the
collection released to the partner, paging, filters, one object, versions, manifest, and who may."""

import httpx
import pytest
from requests.exceptions import HTTPError
from taxii2client.exceptions import AccessError
from taxii2client.v21 import Server, as_pages

PASSWORD = "demo"


def _server(base: str, user: str, password: str = PASSWORD) -> Server:
    return Server(f"{base}/taxii2/", user=user, password=password)


def _partner_collection(base: str, user: str):
    (root,) = _server(base, user).api_roots
    released, inbox = root.collections  # one to read, one the other node writes into
    assert (released.alias, inbox.alias) == ("released-to-partner", "received-from-partner")
    return released


def test_the_partner_lists_the_collection_and_pages_through_its_objects(demo_server):
    server = _server(demo_server, "partner.liaison")
    assert server.title.startswith("JSMS node") and server.default is not None
    collection = _partner_collection(demo_server, "partner.liaison")
    assert collection.title == "Released to the partner node" and collection.can_read

    def every(method, per_request: int, **filters) -> list:
        return [
            o
            for page in as_pages(method, per_request=per_request, **filters)
            for o in page.get("objects", [])
        ]

    paged = every(collection.get_objects, 300)
    assert len(paged) > 300 and len({o["id"] for o in paged}) == len(paged)  # several pages, none twice
    incidents = collection.get_objects(type="incident", limit=500)["objects"]
    assert incidents and {o["type"] for o in incidents} == {"incident"}
    assert all(o["object_marking_refs"] for o in incidents)
    one = incidents[0]
    assert collection.get_object(one["id"])["objects"] == [one]
    assert collection.object_versions(one["id"])["versions"] == [
        collection.get_manifest(id=one["id"])["objects"][0]["version"]
    ]
    manifest = every(collection.get_manifest, 500)
    assert [m["id"] for m in manifest] == [o["id"] for o in paged]


def test_who_may_read_and_what_bad_requests_get(demo_server):
    with pytest.raises(HTTPError) as wrong:
        _server(demo_server, "partner.liaison", "not-the-password").api_roots  # noqa: B018
    assert wrong.value.response.status_code == 401
    assert "Basic" in wrong.value.response.headers["WWW-Authenticate"]
    company = _partner_collection(demo_server, "company.security")
    assert not company.can_read
    with pytest.raises(AccessError):
        company.get_objects()
    refused = httpx.get(f"{company.url}objects/", auth=("company.security", PASSWORD))
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/taxii+json")
    assert refused.json()["http_status"] == "403"
    officer = _partner_collection(demo_server, "host.analyst")  # may release: sees what leaves
    assert officer.can_read and officer.get_objects(limit=1)["objects"]
    with pytest.raises(HTTPError) as bad:
        officer.get_objects(added_after="last tuesday")
    assert bad.value.response.status_code == 400
