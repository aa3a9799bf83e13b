"""The apply helper: who signs (our reading of the LA's section 2) and the scan's file name."""

from __future__ import annotations

import re

import pytest

from casme3_compliance.render import api

from .test_lookup import tab_to

pytestmark = pytest.mark.browser


def signer(page) -> tuple[str, str]:
    """`data-signer` and the one visible answer."""
    shown = page.locator("#apply-signer > p:visible")
    assert shown.count() == 1
    return page.get_attribute("#apply-signer", "data-signer"), shown.text_content()


def test_a_student_has_the_supervisor_sign_answered_with_the_keyboard(tab, kb):
    who = kb.agreement.application.who_signs
    student = next(r for r in who.roles if r.without_email == r.with_email == "supervisor")
    tab.goto(f"{kb.id}/apply/")
    assert signer(tab.page)[0] == "unknown"
    # Keyboard alone: Tab into the first question, Space picks the first role.
    tab_to(tab.page, "input[name=apply-role]")
    tab.page.keyboard.press("Space")
    assert tab.page.is_checked(f"#apply-role-{who.roles[0].id}")
    tab.page.check(f"#apply-role-{student.id}")
    assert signer(tab.page)[0] == "unknown"  # one answer is not enough
    tab_to(tab.page, "input[name=apply-email]")
    tab.page.keyboard.press("Space")
    assert tab.page.is_checked("#apply-email-yes")
    who_signs, text = signer(tab.page)
    assert who_signs == "supervisor"
    assert text.startswith(who.outcomes["supervisor"].text.split(".")[0])


@pytest.mark.parametrize("email", ["yes", "no"])
def test_the_helper_follows_the_table_for_every_answer(tab, kb, email):
    """Each role and email answer gives the outcome the data's table says, with its clauses;
    the table is our cautious reading of the ambiguous clause, the one the terms page shows."""
    who = kb.agreement.application.who_signs
    tab.goto(f"{kb.id}/apply/")
    tab.page.check(f"#apply-email-{email}")
    for role in who.roles:
        tab.page.check(f"#apply-role-{role.id}")
        case = role.with_email if email == "yes" else role.without_email
        got, text = signer(tab.page)
        outcome = who.outcomes[case]
        assert got == case
        assert " ".join(text.split()).startswith(" ".join(outcome.text.split())), role.id
        for clause_id in outcome.clauses:
            assert clause_id in text


def test_the_signers_name_gives_both_file_names_and_each_copies(tab, kb):
    templates = kb.agreement.application.filename.templates()
    tab.goto(f"{kb.id}/apply/")
    outputs = {"text": "#apply-filename", "pdf": "#apply-filename-pdf"}
    for output in outputs.values():
        assert tab.page.locator(f"{output}-copy").is_disabled()
    for name in ("Jane Doe", "Zoë O'Neil-Smith", "李明", "  Padded Name  "):
        tab.page.fill("#apply-signer-name", name)
        for which, output in outputs.items():
            want = templates[which].replace("{name}", name.strip())
            assert tab.page.text_content(output) == want
            assert tab.page.get_attribute(output, "data-valid") == "true"
        assert tab.page.text_content("#apply-filename-error") == ""
    for which, output in outputs.items():
        want = templates[which].replace("{name}", "Padded Name")
        tab.page.locator(f"{output}-copy").click()
        assert tab.page.evaluate("navigator.clipboard.readText()") == want
        assert want in tab.page.text_content("#apply-copy-status")
    assert templates["text"] != templates["pdf"]


def test_a_name_that_cannot_be_in_a_file_name_is_refused(tab, kb):
    tab.goto(f"{kb.id}/apply/")
    names = [
        "Jane/Doe",
        "Jane\\Doe",
        "J:D",
        "Who?",
        "a*b",
        'The "Boss"',
        "<x>",
        "a|b",
        "a\x07b",
        " ",
        "",
        "Jane\u202efdp.exe",  # shows as "Janeexe.pdf": a right-to-left override
        "\u200b",  # a lone zero-width space
        "Jane\u2066Doe",
        "\u3164",  # a Hangul filler: a "letter" that shows nothing
        "\u2800 \u2800",
        "a" * 250,  # the file name would pass 255 bytes
        "李" * 75,  # 225 bytes of name, and the template's own
    ]
    rules = api.FILENAME_RULES
    for name in names:
        tab.page.fill("#apply-signer-name", "Jane Doe")
        tab.page.fill("#apply-signer-name", name)
        bad = set(re.findall(rules["forbidden"], name))
        blank = re.match(rules["blank"], name.strip()) is not None
        templates = kb.agreement.application.filename.templates().values()
        longest = max(len(t.replace("{name}", name.strip()).encode()) for t in templates)
        too_long = longest > rules["max_bytes"]
        assert bad or blank or too_long, name
        assert tab.page.text_content("#apply-filename") == "", name
        assert tab.page.get_attribute("#apply-filename", "data-valid") == "false", name
        error = tab.page.locator("#apply-filename-error")
        assert error.is_visible() and error.text_content().strip(), name
        for ch in bad:  # named as itself, or by its code point when it cannot be seen
            shown = ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
            assert shown in error.text_content(), name
        assert tab.page.locator("#apply-filename-copy").is_disabled(), name
        assert tab.page.locator("#apply-filename-pdf-copy").is_disabled(), name
