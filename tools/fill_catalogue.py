"""Fill empty translations of a catalogue from a table: python tools/fill_catalogue.py LANG TABLE.json

For translators who keep their work as a JSON object {msgid: translation}; entries already
translated in the catalogue are left as they are. Reports what is still missing.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parents[1] / "src" / "jsms" / "locale"


def main(language: str, table_path: str) -> None:
    table = json.loads(Path(table_path).read_text(encoding="utf-8"))
    path = LOCALE / language / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as po:
        catalogue = read_po(po, locale=language)
    for message in catalogue:
        if message.id and not message.string and message.id in table:
            message.string = table[message.id]
    with open(path, "wb") as po:
        write_po(po, catalogue, width=110, sort_output=True)
    missing = [m.id for m in catalogue if m.id and not m.string]
    print(f"{language}: {len(missing)} untranslated", *missing, sep="\n  ")


if __name__ == "__main__":
    main(*sys.argv[1:3])
