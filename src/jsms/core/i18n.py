"""Languages: English, Simplified Chinese, Urdu (right-to-left), through gettext catalogues (Babel).

Strings in code are marked with `N_()` (extracted, translated when shown); templates call
`_()`. The catalogues live in `jsms/locale/<lang>/LC_MESSAGES/messages.po`; `make` compiles
them to `.mo` files, which are what is loaded here.
"""

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文", "ur": "اردو"}
RIGHT_TO_LEFT = frozenset({"ur"})
DEFAULT_LANGUAGE = "en"
# Babel locales for formatting dates and numbers in each language.
BABEL_LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN", "ur": "ur_PK"}
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def language_or_default(code: str | None) -> str:
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain=DOMAIN)


class Translator:
    """The strings, dates and numbers of one language and time zone."""

    def __init__(self, language: str, timezone: str = "Asia/Karachi"):
        self.language = language_or_default(language)
        self.timezone = ZoneInfo(timezone)
        self.locale = Locale.parse(BABEL_LOCALES[self.language])
        self._catalogue = translations(self.language)

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RIGHT_TO_LEFT else "ltr"

    def gettext(self, message: str, **values: object) -> str:
        text = self._catalogue.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self._catalogue.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def datetime(self, moment: datetime | None, style: str = "medium") -> str:
        if moment is None:
            return ""
        return format_datetime(moment, style, tzinfo=self.timezone, locale=self.locale)

    def time(self, moment: "datetime | None", style: str = "short") -> str:
        if moment is None:
            return ""
        return format_time(moment, style, tzinfo=self.timezone, locale=self.locale)

    def date(self, day, style: str = "medium") -> str:
        return format_date(day, style, locale=self.locale) if day else ""

    def money(self, amount, currency: str) -> str:
        """An amount in its currency, as the reader's locale writes it ("US$516,000.00")."""
        return format_currency(amount, currency, locale=self.locale) if amount is not None else ""

    def number(self, value: float | int | None) -> str:
        return format_decimal(value, locale=self.locale) if value is not None else ""

    def percent(self, fraction: float | None) -> str:
        return format_percent(fraction, locale=self.locale) if fraction is not None else ""
