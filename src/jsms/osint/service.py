"""News monitoring: articles in, proposed incidents out, an analyst's decision on each."""

from jsms.osint.extract import Extraction, extract
from jsms.osint.inputs import RawArticle
from jsms.osint.text import read_article


def extract_raw(raw: RawArticle) -> Extraction:
    return extract(read_article(raw.text, raw.published, raw.title))
