"""The benchmarks' own service, declared as an app declares itself (core.portal): bills of a
"bench" subject, settled as holding tax is (bench/ipn.py, bench/pdfs.py). Its subjects have
no linked accounts, as a holding whose owners have none: a write for one of its bills
concerns its payer only (core.citizen_cache), as one for a holding concerns its payer and
owners."""

from core.portal import ServiceSpec, register

SPEC = register(
    ServiceSpec(
        key="bench",
        title="Benchmark",
        revenue_heads=["holding_tax", "conservancy", "vat"],
        subject_users=lambda bills: set(),
    )
)
