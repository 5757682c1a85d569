"""The redact stage in Spark: `curated` loses its personal data, `pii` records what went, reruns keep the counts."""

from __future__ import annotations

from native_align.pii import stage
from tests.support.corpus import AD_LINES, make_docs, write_curated

PHONE = "للتواصل: 0551234567"
EMAIL = "راسلونا على info.news@example.com"
NATIONAL_ID = "رقم الهوية 1000000008"  # a Saudi id shape with a valid Luhn digit


def _docs():
    docs = make_docs(8, seed=2)
    for d in docs:  # the crafted corpus's own ad lines carry phones: leave only the ones placed here
        d["text"] = "\n".join(line for line in d["text"].splitlines() if line not in AD_LINES)
    docs[0]["text"] += "\n" + PHONE
    docs[1]["text"] += "\n" + EMAIL + "\n" + PHONE
    docs[2]["text"] += "\n" + NATIONAL_ID
    return docs


def test_redact_replaces_counts_drops_and_reruns_idempotently(ctx):
    write_curated(ctx, _docs())
    ctx.settings.pii.policy.national_id = "drop"
    counts = stage.run(ctx)
    assert counts["documents"] == 8 and counts["documents_with_pii"] == 3 and counts["dropped"] == 1
    assert (counts["redacted.phone"], counts["redacted.email"], counts["redacted.national_id"]) == (2, 1, 1)
    curated = {r["doc_id"]: r["text"] for r in ctx.tables.read("curated").collect()}
    assert len(curated) == 7 and "doc-0002" not in curated
    assert curated["doc-0000"].endswith("للتواصل: <PHONE>")
    assert "<EMAIL>" in curated["doc-0001"] and "example.com" not in curated["doc-0001"]
    pii = {r["doc_id"]: r.asDict() for r in ctx.tables.read("pii").collect()}
    assert set(pii) == {"doc-0000", "doc-0001", "doc-0002"} and pii["doc-0002"]["dropped"]
    assert pii["doc-0001"]["pii_phone"] == 1 and pii["doc-0001"]["pii_email"] == 1

    again = stage.run(ctx)  # already redacted: nothing found, nothing lost
    assert again["documents_with_pii"] == 0
    assert {r["doc_id"]: r["text"] for r in ctx.tables.read("curated").collect()} == curated
    assert ctx.tables.read("pii").count() == 3


def test_disabled_leaves_curated_alone(ctx):
    write_curated(ctx, _docs())
    ctx.settings.pii.enabled = False
    assert stage.run(ctx) == {"pii_disabled": 1}
    texts = [r["text"] for r in ctx.tables.read("curated").collect()]
    assert any(t.endswith(PHONE) for t in texts)
    assert not ctx.tables.exists("pii")
