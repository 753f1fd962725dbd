"""The S3 object store: bytes in, bytes out, by key (used here for cached CRLs, elsewhere for documents)."""

from __future__ import annotations

from chalicelib.settings import get_settings
from chalicelib.store.objects import ObjectStore


def test_what_is_put_comes_back(documents_bucket: ObjectStore):
    # when
    documents_bucket.put("signed/1.xml", "<a>Әлия</a>".encode(), content_type="application/xml")

    # then
    assert documents_bucket.get("signed/1.xml") == "<a>Әлия</a>".encode()
    assert documents_bucket.exists("signed/1.xml")


def test_a_missing_key_is_none(documents_bucket: ObjectStore):
    assert documents_bucket.get("nothing/here") is None
    assert not documents_bucket.exists("nothing/here")


def test_a_put_replaces_and_a_delete_removes(documents_bucket: ObjectStore):
    documents_bucket.put("k", b"one", metadata={"source-url": "http://127.0.0.1/crl"})
    documents_bucket.put("k", b"two")
    assert documents_bucket.get("k") == b"two"

    documents_bucket.delete("k")
    documents_bucket.delete("k")

    assert documents_bucket.get("k") is None


def test_the_bucket_defaults_to_the_documents_bucket(documents_bucket: ObjectStore):
    assert ObjectStore().bucket == get_settings().documents_bucket
