"""The Redis cache backend (core.redis_cache): Django's, with one client per pool."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server (REDIS_URL)")


@pytest.fixture
def cache():
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings = {
        "default": {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": REDIS_URL},
        "citizen": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        },
    }
    with override_settings(CACHES=settings):
        cache = caches["shared"]
        yield cache
        cache.delete_many([f"k{i}" for i in range(9)] + ["n"])


def test_one_client_serves_every_call(cache):
    cache.set("k0", {"a": 1})
    first = cache._cache.get_client(write=True)
    assert cache.get("k0") == {"a": 1}
    assert cache.get_many(["k0", "k1"]) == {"k0": {"a": 1}}
    assert cache.add("k1", 2) and not cache.add("k1", 3)
    assert cache._cache.get_client() is first
    assert cache._cache.get_client(write=True) is first


def test_threads_share_the_client_and_count_right(cache):
    cache.set("n", 0)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            for _ in range(50):
                cache.incr("n")
            cache.set(f"k{i}", i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert cache.get("n") == 400
    assert cache.get_many([f"k{i}" for i in range(8)]) == {f"k{i}": i for i in range(8)}
