"""Searching students by name, email, WeChat ID or phone, fast at any scale.

Each student has search tokens (``StudentSearchToken``): the romanised name
parts, the Hanzi name, the email, the WeChat ID and the phone digits. A query
matches a student when every word of it is the prefix of one of their
tokens; prefix ranges are answered from the token index. Tokens are kept up
to date by ORM events whenever a student is created or its name or contact
fields change; bulk loads call ``token_rows`` themselves.
"""

import re

from sqlalchemy import Connection, and_, delete, event, insert, inspect, select

from envoycrm.models import Student, StudentSearchToken
from envoycrm.students.names import ascii_fold, hanzi_tokens, has_hanzi, latin_tokens

SEARCHED = ("name_latin", "name_hanzi", "email", "wechat_id", "phone")
MAX_TOKEN = 120
_TOP = chr(0x10FFFF)  # sorts after every character: the end of a prefix range


def tokens_for(
    name_latin: str | None,
    name_hanzi: str | None,
    email: str | None,
    wechat_id: str | None,
    phone: str | None,
) -> set[str]:
    """The search tokens of one student."""
    tokens = set(latin_tokens(name_latin)) | set(hanzi_tokens(name_hanzi))
    if name_hanzi:
        tokens.add("".join(name_hanzi.split()))
    for value in (email, wechat_id):
        if value:
            tokens.add(value.strip().lower())
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 4:
        # The number with and without up to three leading digits, so it is
        # found whether or not the country code is typed.
        tokens.update(digits[cut:] for cut in range(4) if len(digits) - cut >= 6)
    return {token[:MAX_TOKEN] for token in tokens if token}


def token_rows(student_id: int, **fields) -> list[dict]:
    """Rows for ``student_search_tokens`` (for bulk inserts)."""
    values = [fields.get(name) for name in SEARCHED]
    return [{"token": t, "student_id": student_id} for t in tokens_for(*values)]


def replace_tokens(connection: Connection, student: Student) -> None:
    """Rewrite one student's tokens inside the current transaction."""
    connection.execute(
        delete(StudentSearchToken).where(StudentSearchToken.student_id == student.id)
    )
    rows = token_rows(student.id, **{name: getattr(student, name) for name in SEARCHED})
    if rows:
        connection.execute(insert(StudentSearchToken), rows)


@event.listens_for(Student, "after_insert")
def _index_new_student(_mapper, connection, student) -> None:
    replace_tokens(connection, student)


@event.listens_for(Student, "after_update")
def _reindex_changed_student(_mapper, connection, student) -> None:
    state = inspect(student)
    if any(state.attrs[name].history.has_changes() for name in SEARCHED):
        replace_tokens(connection, student)


def query_words(q: str) -> list[str]:
    """The words of a search, normalised as tokens are (lower case, no accents)."""
    words = []
    for word in q.split():
        word = word.strip()
        if not word:
            continue
        words.append(word if has_hanzi(word) else ascii_fold(word))
    return words[:5]


def search_condition(q: str):
    """A condition on ``Student`` matching every word of ``q`` as a prefix."""
    conditions = []
    for word in query_words(q):
        matching = select(StudentSearchToken.student_id).where(
            StudentSearchToken.token >= word,
            StudentSearchToken.token < word + _TOP,
        )
        conditions.append(Student.id.in_(matching))
    return and_(*conditions) if conditions else None


def reindex_all(connection: Connection, batch: int = 2000) -> int:
    """Rebuild every student's tokens; returns how many students were indexed."""
    connection.execute(delete(StudentSearchToken))
    columns = [Student.id, *(getattr(Student, name) for name in SEARCHED)]
    last_id, done = 0, 0
    while True:
        rows = connection.execute(
            select(*columns)
            .where(Student.id > last_id)
            .order_by(Student.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        tokens = [
            token
            for row in rows
            for token in token_rows(row.id, **{n: getattr(row, n) for n in SEARCHED})
        ]
        if tokens:
            connection.execute(insert(StudentSearchToken), tokens)
        last_id, done = rows[-1].id, done + len(rows)
