"""People's names and usernames, compared so that look-alikes are the same person.

A name is compared after Unicode NFKC normalization, folding of letters that look like Latin ones
(Cyrillic and Greek homoglyphs, from Unicode's confusables.txt, UTS #39), case folding, dropping
punctuation and collapsing whitespace. So `Maria  Manager`, `maria manager.` and `Mаria Manager` (Cyrillic а)
are one person, and `-`, `.` or `<script>` are not a name at all.
"""

from __future__ import annotations

import re
import unicodedata

from zdlib.approval.errors import ApprovalInputError

MAX_NAME = 200
MIN_LETTERS = 2

# Letters that render like Latin letters in common fonts (a subset of Unicode confusables.txt, UTS #39:
# https://www.unicode.org/Public/security/latest/confusables.txt), folded to the Latin letter.
CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j", "к": "k",
        "м": "m", "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x",
        "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ь": "b", "һ": "h", "ӏ": "l",
        "А": "a", "В": "b", "Е": "e", "Ё": "e", "І": "i", "Ї": "i", "Ј": "j", "К": "k", "М": "m",
        "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "Ԁ": "d",
        "Ԛ": "q", "Ԝ": "w", "Ү": "y", "Һ": "h", "Ӏ": "l",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "γ": "y",
        "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
        "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
        # Latin look-alikes outside ASCII
        "ı": "i", "ſ": "s", "ɑ": "a", "ɡ": "g", "ℓ": "l",
    }
)  # fmt: skip

# GitLab usernames: letters, digits, `_`, `-` and `.`; they start and end with a letter, digit or `_`,
# and may not end in `.git` or `.atom` (GitLab docs, "User account > Change your username" and the
# namespace path rules in `Gitlab::PathRegex`). Compared case-insensitively, as GitLab does.
USERNAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,253}[A-Za-z0-9_])?$")
MAX_USERNAME = 255


def fold(text: str) -> str:
    """NFKC, confusables folded to Latin, case folded, whitespace collapsed (no other change)."""
    value = unicodedata.normalize("NFKC", text).translate(CONFUSABLES).casefold()
    return " ".join(value.split())


def name_key(text: str) -> str:
    """The comparison key of a person's name or email: folded, punctuation and symbols dropped.

    An email counts by its local part (`ada.admin@example.com` -> `ada admin`).
    """
    value = fold(text)
    if "@" in value:
        value = value.split("@", 1)[0]
    kept = "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in value)
    return " ".join(kept.split())


def same_person(a: str, b: str) -> bool:
    """True when two names, emails or usernames are the same after folding (empty never matches)."""
    ka, kb = name_key(a), name_key(b)
    return bool(ka) and ka == kb


def could_be(typed: str, person: str) -> bool:
    """True when a typed name is the person, or only a part of their name (`Ada` for `Ada Admin`, or for
    `ada.admin@...`): a typed approval is never taken to be someone else on a name's prefix (security
    re-test 2026-12-04 L8)."""
    typed_key, person_key = name_key(typed), name_key(person)
    return bool(typed_key) and (typed_key == person_key or typed_key in person_key.split())


def name_problem(field: str, value: str) -> str | None:
    """Why a free-text name is not a person's name or email, or None."""
    if len(value) > MAX_NAME:
        return (
            f"{field} is {len(value)} characters long: give the person's name or email (at most {MAX_NAME})."
        )
    if any(not c.isprintable() for c in value):
        return f"{field} holds control characters: give the person's name or email as on the access request."
    if any(c in value for c in '<>"`[]{}|\\'):
        return f"{field} {value!r} holds markup characters: give the person's name or email."
    letters = sum(unicodedata.category(c).startswith("L") for c in name_key(value))
    if letters < MIN_LETTERS:
        return f"{field} {value!r} is not a name: give the person's name, email or GitLab username."
    return None


def normalize_username(field: str, value: str) -> str:
    """A GitLab username as typed (an optional leading `@` dropped), checked; raises ApprovalInputError."""
    text = value.strip()
    if text.startswith("@"):
        text = text[1:]
    if not text:
        raise ApprovalInputError(
            f"{field} is missing: give the person's GitLab username (e.g. maria.manager)."
        )
    if (
        len(text) > MAX_USERNAME
        or not USERNAME.match(text)
        or text.lower().endswith((".git", ".atom"))
        or fold(text) != text.lower()
    ):
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ApprovalInputError(
            f"{field} {shown!r} is not a GitLab username (letters, digits, '_', '-' and '.', starting and "
            "ending with a letter, digit or '_'): give the username from the person's GitLab profile, "
            "e.g. maria.manager, not their display name."
        )
    return text.lower()


def email_is_user(email: str, username: str, public_email: str = "") -> bool:
    """True when `email` belongs to the GitLab user `username`.

    The user's GitLab `public_email`, when they show one, decides (compared case-insensitively); without
    one, the email's local part must be the username after folding (`alan.agent@...` is `alan.agent`).
    """
    given = fold(email or "")
    if not given or not username:
        return False
    if public_email and public_email.strip():
        return given == fold(public_email)
    local = given.split("@", 1)[0] if "@" in given else ""
    return bool(local) and name_key(local) == name_key(username)
