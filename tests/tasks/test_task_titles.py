"""Task titles are written in the reader's language, not stored prose."""

from datetime import date

from envoycrm.extensions import db
from envoycrm.models import Task, TaskKind


def test_employer_interest_task_is_shown_in_chinese_to_a_chinese_reader(
    factory, client, login_as, people, student
):
    opening = factory.opening(people["employer"].employer_id, title_zh="材料研究员")
    db.session.add(
        Task(
            kind=TaskKind.EMPLOYER_INTEREST,
            title="English prose stored earlier",
            student_id=student.id,
            opening_id=opening.id,
            employer_id=opening.employer_id,
            due_on=date(2026, 12, 1),
        )
    )
    people["coordinator"].locale = "zh_Hans"
    db.session.commit()
    login_as("coordinator")
    page = client.get("/tasks/").get_data(as_text=True)
    assert "材料研究员" in page and "感兴趣" in page
    assert "English prose stored earlier" not in page
