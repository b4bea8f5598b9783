"""A test-only source that lives outside the package: it looks records up by PMLR id (no registered
source does) and searches by title. Registered by tests/test_house.py with `sources.register`."""
from __future__ import annotations

from atpbib.model import Ids, Person, Record
from atpbib.sources import Source

CALLS: list[tuple[str, str]] = []
PAPERS = {
    "v97/toy19a": Record(source="toy", source_key="v97/toy19a", title="Toy Papers Resolve Themselves",
                         authors=(Person("Doe", "Jane"), Person("Roe", "Rick")), year=2019, type="inproceedings",
                         published=True, venue="ICML 2019", container_title="Proceedings of the Toy Conference",
                         pages="1--9", ids=Ids(pmlr="v97/toy19a")),
}


def lookup(fetcher, pmlr_id, query):
    CALLS.append(("lookup", pmlr_id))
    return PAPERS.get(pmlr_id)


def search(fetcher, text):
    CALLS.append(("search", text))
    return [r for r in PAPERS.values() if r.title.lower() == text.lower()]


SOURCE = Source(name="toy", label="Toy Index", rank=0, lane=2, scheme="pmlr", lookup=lookup, search=search,
                missing="no toy record for {id}")
