"""Province and district of a point; place search by any spelling."""

import pytest

from jsms.geo import gazetteer
from jsms.geo.provinces import PROVINCES, district_at, districts, province_at


@pytest.mark.parametrize(
    ("lat", "lon", "province", "district"),
    [
        (25.1216, 62.3254, "PK-BA", "Gwadar"),  # Gwadar town
        (35.2917, 73.2906, "PK-KP", "Upper Kohistan"),  # Dasu
        (24.7850, 67.3550, "PK-SD", "Malir"),  # Port Qasim
        (31.5497, 74.3436, "PK-PB", "Lahore"),
        (33.6938, 73.0652, "PK-IS", "Islamabad"),
        (35.9208, 74.3144, "PK-GB", "Gilgit"),
        (34.3700, 73.4711, "PK-JK", "Muzaffarabad"),
        (30.1798, 66.9750, "PK-BA", "Quetta"),
        (34.0151, 71.5249, "PK-KP", "Peshawar"),
        (27.7052, 68.8574, "PK-SD", "Sukkur"),
        (24.8465, 66.7875, "PK-SD", "Keamari"),  # on the coast, west of Karachi
    ],
)
def test_point_in_province_and_district(lat, lon, province, district):
    found = province_at(lat, lon)
    assert found is not None and found.code == province
    assert district_at(lat, lon).name == district


@pytest.mark.parametrize(("lat", "lon"), [(34.53, 69.17), (28.61, 77.21), (0.0, 0.0), (29.6, 60.9)])
def test_points_outside_pakistan_have_no_province(lat, lon):
    assert province_at(lat, lon) is None


def test_every_province_has_districts_whose_points_lie_in_it():
    by_province = {code: [d for d in districts() if d.province == code] for code in PROVINCES}
    assert all(by_province.values())
    assert len({d.name for d in districts()}) >= 150
    for district in districts():
        assert province_at(district.lat, district.lon).code == district.province, district


def test_province_names_in_three_languages():
    balochistan = PROVINCES["PK-BA"]
    assert (balochistan.name, balochistan.name_zh, balochistan.name_ur) == (
        "Balochistan",
        "俾路支省",
        "بلوچستان",
    )


@pytest.mark.parametrize(
    ("query", "name", "province"),
    [
        ("Gwadar", "Gwadar", "PK-BA"),
        ("gwādar", "Gwadar", "PK-BA"),
        ("Mingora", "Mingora", "PK-KP"),
        ("karachi", "Karachi", "PK-SD"),
        ("Kwatah", "Quetta", "PK-BA"),  # an alternate name GeoNames records
    ],
)
def test_search_by_name_and_alternate_names(query, name, province):
    best = gazetteer.search(query, limit=1)[0]
    assert (best.name, best.province) == (name, province)


def test_search_ranks_exact_before_prefix_and_respects_province():
    results = gazetteer.search("Hyderabad", limit=5)
    assert results[0].name == "Hyderabad" and results[0].province == "PK-SD"
    assert all(p.province == "PK-PB" for p in gazetteer.search("a", limit=20, province="PK-PB"))
    assert gazetteer.search("   ") == []


def test_gazetteer_holds_pakistans_places_with_districts():
    places = gazetteer.places()
    assert len(places) > 500
    assert all(p.province in PROVINCES for p in places)
    assert gazetteer.nearest_place(25.13, 62.33).name == "Gwadar"
