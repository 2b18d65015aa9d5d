"""Payments' own notes (status reasons, event outcomes) read in the reader's language."""

from django.utils import translation

from payments.notes import note_text


def test_the_portals_own_notes_are_translated_and_other_words_kept():
    with translation.override("bn"):
        assert note_text("cash taken by 17") == "নগদ নিয়েছেন ব্যবহারকারী নম্বর ১৭"
        assert note_text("cash at the counter") == "কাউন্টারে নগদ"
        assert note_text("IPN: validated") == "পরিশোধের বিজ্ঞপ্তি: গেটওয়ে যাচাই করেছে"
        assert note_text("released by officer: টাকা মিলেছে") == (
            "রাজস্ব কর্মকর্তা ছেড়ে দিয়েছেন: টাকা মিলেছে"
        )
        # The gateway's and an officer's own words stay as they were written.
        assert note_text("Transaction declined by the issuing bank") == (
            "Transaction declined by the issuing bank"
        )
    with translation.override("en"):
        assert note_text("return: validated") == "Return from the gateway: validated by the gateway"
        assert note_text("") == ""


def test_a_settlement_note_says_the_payment_was_settled_not_when():
    with translation.override("bn"):
        assert note_text("settled") == "পরিশোধ নিষ্পন্ন হয়েছে"


def test_a_paper_receipts_notes_are_translated():
    with translation.override("bn"):
        assert note_text("paper receipt KCC-07/302") == "কাগজের রসিদ KCC-07/৩০২, পরে তোলা"
        assert (
            note_text("paper receipt KCC-07/302 entered by 17")
            == "কাগজের রসিদ KCC-07/৩০২ তুলেছেন ব্যবহারকারী নম্বর ১৭"
        )
