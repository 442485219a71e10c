"""The layering rules of DESIGN.md, checked by import-linter, and the OpenAPI document."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_openapi_document_lists_every_registry(api):
    document = api.client.get("/api/v1/openapi.json").json()
    paths = set(document["paths"])
    for registry in (
        "organisations",
        "projects",
        "sites",
        "persons",
        "units",
        "assets",
        "agreements",
    ):
        assert (
            f"/api/v1/{registry}" in paths and f"/api/v1/{registry}/{{{registry[:-1]}_id}}" in paths
        ) or any(p.startswith(f"/api/v1/{registry}/") for p in paths), registry
    assert api.client.get("/api/v1/docs").status_code == 200


def test_every_api_route_requires_a_signed_in_user_except_sign_in_and_health(api):
    """A new endpoint that forgets authentication fails here (STYLE.md: anonymous → 401)."""
    import re

    # The calendar feed is for calendar programs, which send no token: its address carries a key.
    open_routes = {"/api/v1/auth/token", "/api/v1/health", "/api/v1/calendar/{username}/{key}.ics"}
    document = api.client.get("/api/v1/openapi.json").json()
    checked = 0
    for path, operations in document["paths"].items():
        if path in open_routes:
            continue
        url = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
        for method in operations:
            response = api.client.request(method.upper(), url, json={})
            assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
            checked += 1
    assert checked >= 40
