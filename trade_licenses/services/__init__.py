"""Every write for trade licences: businesses, drafts, documents, the workflow, the fee
bill and the licence. One transaction each; each refusal is a ValidationError with a
translated message and nothing changed; every state change writes an ApplicationEvent and
an audit row; the trader gets an SMS after the commit (notify.py).

Workflow (Application.TRANSITIONS): draft → submitted → inspection → approval → billed →
paid → issued; "returned" (for correction, then resubmitted) and "rejected" (final) from
submitted, inspection and approval, always with a reason. A renewal with nothing changed
skips inspection (submitted → approval). Who may take each step: STEP_PERMISSIONS.

Modules: ``reads`` (fee schedule, category, the holdings check, fee lines),
``applications`` (business, drafts, submit, start, renew), ``documents`` (uploads and
inspection photos), ``workflow`` (transitions, inspection, dues override, the fee bill,
late-bill refresh), ``licences`` (licence issue, the payments registry's hooks) and
``_common`` (what they share). Callers import from ``trade_licenses.services``.
"""

from ..selectors import missing_documents, previous_licence, required_documents  # noqa: F401
from ._common import (  # noqa: F401
    APPROVE,
    BUSINESS_FIELDS,
    COUNTER,
    HEAD_LABELS,
    INSPECT,
    NEW_BILL_DAYS,
    SERVICE,
    SNAPSHOT_FIELDS,
    STEP_PERMISSIONS,
    SUBJECT_TYPE,
    TRADER_FIELDS,
    S,
    _check_move,
    _clean_business,
    _clean_trader,
    _has,
    _lock,
    _may_file,
    _move,
    _previous_licence,
    _require_filer,
    _sync,
)
from .applications import (  # noqa: F401
    _details_changed,
    _submission_problems,
    application_create_draft,
    application_start,
    application_submit,
    application_update_draft,
    business_create,
    licence_renew,
    renewal_missing_particulars,
    renewal_particulars,
)
from .documents import (  # noqa: F401
    _checked,
    _read,
    _store_document,
    document_add,
    document_record_download,
    document_remove,
)
from .licences import (  # noqa: F401
    application_for_bill,
    licence_issue,
    on_bill_cancelled,
    on_bill_paid,
    on_bill_reopened,
)
from .reads import (  # noqa: F401
    HoldingCheck,
    category_for,
    fee_lines,
    holding_check,
    licence_year_due,
    renewal_preview,
    schedule_for,
    settled_years,
    skipped_years,
)
from .workflow import (  # noqa: F401
    _bill_lines,
    _bill_period,
    application_issue_bill,
    application_override_dues,
    application_transition,
    inspection_record,
    refresh_late_renewal_bills,
    renewal_bill_refresh,
)
