"""Make a migrated database a working node: the two parties, the audit head, policy version 1."""

from sqlalchemy.orm import Session

from jsms.core.governance import install_default_policy
from jsms.core.parties import ensure_parties

# The reference deployment; a node for another pair of states passes its own.
REFERENCE_PARTIES = {
    "host": {
        "country": "PK",
        "en": "Islamic Republic of Pakistan",
        "zh": "巴基斯坦伊斯兰共和国",
        "ur": "اسلامی جمہوریہ پاکستان",
    },
    "partner": {
        "country": "CN",
        "en": "People's Republic of China",
        "zh": "中华人民共和国",
        "ur": "عوامی جمہوریہ چین",
    },
}


def bootstrap_node(session: Session, parties: dict[str, dict[str, str]] = REFERENCE_PARTIES) -> None:
    """Idempotent: safe to run after every upgrade."""
    ensure_parties(session, parties["host"]["country"], parties["partner"]["country"], parties)
    install_default_policy(session)
