"""Every Latin word and acronym of the content finds its pages: each is queried through
Material's own search worker (lunr, with the built site's search settings) in chromium, as the
search box would send it. Chinese queries are covered by test_web_browser.py."""
from __future__ import annotations

import re

import pytest

from web_support import REPO, browser, built, real_content_ready, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not real_content_ready(), reason="content/ has no chapters yet")]

# Keys whose values are ids, names of types or rules, never text a reader sees.
IDENTIFIER_KEYS = {"id", "type", "kind", "governed_by", "responds_to", "marks", "mot", "anchor", "op", "code",
                   "address", "next"}
# Shown on the page but kept out of the search index on purpose (data-search-exclude).
NOT_INDEXED_KEYS = {"reconstructed"}
LATIN = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*")


def latin_terms(data, key: str | None = None) -> set[str]:
    """The Latin words and acronyms in the text values of a chapter (loaded as sopbook loads it)."""
    if key in IDENTIFIER_KEYS or key in NOT_INDEXED_KEYS:
        return set()
    if isinstance(data, dict):
        return set().union(*(latin_terms(value, name) for name, value in data.items()))
    if isinstance(data, list):
        return set().union(*(latin_terms(value, key) for value in data))
    return set(LATIN.findall(data)) if isinstance(data, str) else set()


def content_terms() -> set[str]:
    from sopbook.source.yaml_loader import read_yaml

    return set().union(*(latin_terms(read_yaml(path)) for path in sorted((REPO / "content").glob("*.yml"))))


# The search box sends what was typed to Material's worker: SETUP with the index, then QUERY.
_ASK_WORKER = """async (queries) => {
    const config = JSON.parse(document.getElementById("__config").textContent);
    const base = new URL(config.base + "/", location.href);
    const worker = new Worker(new URL(config.search, base));
    const index = await (await fetch(new URL("search/search_index.json", base))).json();
    const ask = message => new Promise(resolve => {
        worker.onmessage = event => resolve(event.data);
        worker.postMessage(message);
    });
    await ask({type: 0, data: {config: index.config, docs: index.docs, options: {suggest: false}}});
    const found = {};
    for (const query of queries) {
        const result = await ask({type: 2, data: query});
        found[query] = result.data.items.flat().map(item => item.location);
    }
    worker.terminate();
    return found;
}"""


def search_worker(site, queries: list[str]) -> dict[str, list[str]]:
    page = browser().new_page()
    try:
        page.goto(serve(site.site) + "index.html")
        return page.evaluate(_ASK_WORKER, queries)
    finally:
        page.close()


def test_content_has_the_latin_terms_the_handbook_is_searched_for():
    terms = content_terms()
    assert {"NPS", "GPS", "MOT", "KPI", "ROI", "SOP", "VIP", "CLV", "PDCA", "App"} <= terms
    assert not terms & {"verify", "brakes", "divide", "booking"}  # ids and rule names are not text


def test_every_latin_term_in_the_content_finds_a_page_that_has_it():
    site = built(REPO)
    docs = site.search_index()["docs"]
    terms = sorted(content_terms())
    found = search_worker(site, terms)
    missing = {}
    for term in terms:
        having = {doc["location"] for doc in docs
                  if re.search(re.escape(term), doc["title"] + " " + doc["text"], re.I)}
        assert having, f"{term!r} is in content/ but on no indexed page"
        if not having & set(found[term]):
            missing[term] = found[term][:3]
    assert missing == {}, f"{len(missing)} of {len(terms)} Latin terms find none of their pages"
