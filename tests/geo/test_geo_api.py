"""The gazetteer through the HTTP API."""


def test_locate_a_point(api):
    found = api.get("/api/v1/geo/locate", "partner.liaison", params={"lat": 25.12, "lon": 62.33}).json()
    assert found["province"]["code"] == "PK-BA" and found["district"] == "Gwadar"
    assert found["nearest_place"]["name"] == "Gwadar"


def test_locate_outside_and_invalid(api):
    outside = api.get("/api/v1/geo/locate", "host.analyst", params={"lat": 34.53, "lon": 69.17}).json()
    assert outside["province"] is None
    bad = api.get("/api/v1/geo/locate", "host.analyst", params={"lat": 95, "lon": 62})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "lat"]


def test_place_search(api):
    places = api.get("/api/v1/geo/places", "host.analyst", params={"q": "Quetta"}).json()
    assert places[0]["province"] == "PK-BA"
    assert api.get("/api/v1/geo/places", None, params={"q": "Quetta"}).status_code == 401
