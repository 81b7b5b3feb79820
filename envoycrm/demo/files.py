"""The personnel-file pilot: 310 students' files, spread over the steps.

Deterministic (a fixed seed and the demo's fixed "today"): every step has
files, and at each waiting step some have waited past the service time, so
the coordinators' queue shows overdue files. No mail is queued for them:
demo students never opened a link.
"""

import random
from datetime import timedelta

from sqlalchemy import select

from envoycrm.demo.students import TODAY
from envoycrm.extensions import db
from envoycrm.models import (
    FileDocument,
    FileStep,
    FileStepEvent,
    PersonnelFile,
    Role,
    Student,
    User,
)

PILOT_FILES = 310
# Every STRIDE-th student with an email has a file, across all envoys.
STRIDE = 7
SEED = 20251204
# How many of the pilot's files stand at each step (310 in all).
SPREAD = {
    FileStep.APPLICATION_RECEIVED: 34,
    FileStep.FILE_RECEIVED: 30,
    FileStep.CHECKED: 26,
    FileStep.STORED: 150,
    FileStep.TRANSFER_REQUESTED: 22,
    FileStep.TRANSFERRED_OUT: 36,
    FileStep.RETURNED: 12,
}
UNITS = (
    "Qingdao Blue Ocean New Materials Co., Ltd.",
    "Qingdao Marine Science and Technology Center",
    "Haier Group",
    "Ocean University of China",
    "Qingdao Municipal Talent Service Center",
)
NOTES = (
    "Sent by registered post from the former employer.",
    "Student's parent brought the documents.",
    "Checked against the application; seal intact.",
    "",
    "",
)


def _shelf(index: int) -> str:
    """A storage reference: cabinet, shelf, place ("B-03-17")."""
    return f"{'ABCD'[index % 4]}-{index % 12 + 1:02d}-{index % 30 + 1:02d}"


def load_files(report) -> None:
    """Add the pilot's files unless there are some already; commits them."""
    if db.session.scalar(select(PersonnelFile.id).limit(1)) is not None:
        return
    handlers = list(
        db.session.scalars(
            select(User.id).where(User.role == Role.COORDINATOR).order_by(User.id)
        )
    )
    students = list(
        db.session.scalars(
            select(Student.id)
            .where(Student.email.is_not(None))
            .order_by(Student.id)
            .limit(PILOT_FILES * STRIDE)
        )
    )[::STRIDE]
    if not handlers or len(students) < PILOT_FILES:
        return
    rng = random.Random(SEED)
    steps = [step for step, n in SPREAD.items() for _ in range(n)][:PILOT_FILES]
    order = list(FileStep)
    for index, (student_id, step) in enumerate(zip(students, steps, strict=False)):
        # Half of the files at a waiting step have waited past any service time.
        waited = rng.randint(1, 12) if index % 2 else rng.randint(16, 60)
        day = TODAY - timedelta(days=waited)
        path: list[FileStep] = [
            s for s in order[: step.rank + 1] if s is not FileStep.RETURNED
        ]
        if step is FileStep.RETURNED:
            path = order[: rng.randint(1, 4)] + [FileStep.RETURNED]
        events = []
        for back, reached in enumerate(reversed(path)):
            events.append(
                FileStepEvent(
                    student_id=student_id,
                    step=reached,
                    step_on=day - timedelta(days=back * rng.randint(3, 20)),
                    handler_id=rng.choice(handlers),
                    notes=rng.choice(NOTES),
                )
            )
        events.reverse()
        documents = {doc.name: rng.random() < 0.85 for doc in list(FileDocument)[:6]}
        db.session.add(
            PersonnelFile(
                student_id=student_id,
                step=step,
                step_on=day,
                handler_id=events[-1].handler_id,
                opened_by_id=events[0].handler_id,
                storage_ref=_shelf(index),
                transfer_to=rng.choice(UNITS)
                if step is FileStep.TRANSFERRED_OUT
                else None,
                documents=documents,
                locale="zh_Hans" if index % 5 else "en",
                events=events,
            )
        )
    db.session.commit()
    report.count("personnel files", min(len(students), PILOT_FILES))
