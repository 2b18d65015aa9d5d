"""A simple counter in the cache: at most `limit` hits per key in a window."""

from django.core.cache import cache


def over_limit(key: str, limit: int, window: int) -> bool:
    """Count one more hit under `key`; True once there are more than `limit` in the window."""
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit
