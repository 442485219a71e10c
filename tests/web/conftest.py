"""Page tests: a browser-like client that signs in through the sign-in form."""

import re

from tests.conftest import DEMO_PASSWORD


class Browser:
    """Drives the pages as a browser would: cookies, the CSRF token of each form, redirects."""

    def __init__(self, client):
        self.client = client

    def csrf(self) -> str:
        if "jsms_csrf" not in self.client.cookies:
            self.client.get("/login")
        return self.client.cookies["jsms_csrf"]

    def sign_in(self, username: str, password: str = DEMO_PASSWORD, language: str | None = None):
        if language:
            self.client.cookies.set("jsms_lang", language)
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "next": "/", "csrf_token": self.csrf()},
            follow_redirects=False,
        )

    def get(self, url: str, **kwargs):
        return self.client.get(url, follow_redirects=False, **kwargs)

    def post(self, url: str, data: dict, csrf: bool = True):
        body = {**data, "csrf_token": self.csrf()} if csrf else data
        return self.client.post(url, data=body, follow_redirects=False)

    def language(self, code: str):
        return self.post("/language", {"language": code, "next": "/"})


def text_of(html: str) -> str:
    """The visible text of a page (tags, scripts and styles removed)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
