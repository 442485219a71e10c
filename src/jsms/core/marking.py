"""TLP 2.0 markings and release-to lists carried by every shareable object."""

from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class Tlp(StrEnum):
    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def rank(self) -> int:
        return list(Tlp).index(self)

    @property
    def label(self) -> str:
        """The label as TLP 2.0 writes it; never translated."""
        return f"TLP:{self.value.upper()}"

    @classmethod
    def up_to(cls, highest: "Tlp") -> list["Tlp"]:
        return [t for t in cls if t.rank <= highest.rank]


class ReleaseList(TypeDecorator):
    """A list of party codes stored as ',host,partner,' so a LIKE finds one in any SQL database."""

    impl = String(400)
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect) -> str:
        if not value:
            return ""
        return "," + ",".join(sorted(set(value))) + ","

    def process_result_value(self, value: str | None, dialect) -> list[str]:
        return [part for part in (value or "").split(",") if part]


def release_token(party: str) -> str:
    """What a stored release list contains when it names this party."""
    return f",{party},"


class Marked:
    """Columns of a shareable object: its TLP marking, who owns it, and whom it is released to."""

    tlp: Mapped[str] = mapped_column(String(16), default=Tlp.GREEN.value)
    owner_party: Mapped[str] = mapped_column(String(16), default="host")
    release_to: Mapped[list[str]] = mapped_column(ReleaseList, default=list)

    @property
    def marking(self) -> dict[str, object]:
        tlp = Tlp(self.tlp)
        return {
            "tlp": tlp,
            "tlp_label": tlp.label,
            "owner_party": self.owner_party,
            "release_to": self.release_to,
        }
