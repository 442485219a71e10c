"""The sharing tests use the page tests' signed-in browser."""

from tests.web.conftest import browser  # noqa: F401  (a fixture)
