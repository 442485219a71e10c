"""Fixtures of the coordination tests: the page-driving browser of the web tests."""

from tests.web.conftest import browser  # noqa: F401 - a fixture, used by name
