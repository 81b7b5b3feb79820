"""Searching students by name (Latin or Hanzi), email, WeChat ID or phone."""

from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import Student, StudentSearchToken
from envoycrm.students import queries, services
from envoycrm.students.search import reindex_all, tokens_for


def _search(q: str, owner=None) -> list[int]:
    base = select(Student)
    if owner is not None:
        base = base.where(Student.owner_id == owner.id)
    query = queries.student_query(base, queries.StudentFilter(q=q))
    return [s.id for s in db.session.scalars(query)]


def test_tokens_cover_name_forms_and_contacts():
    tokens = tokens_for(
        "Xiao-Ming Wáng", "王晓明", "XM@Example.org", "wx_Ming", "+44 7700 900123"
    )
    assert {
        "xiaoming",
        "wang",
        "王晓明",
        "xm@example.org",
        "wx_ming",
        "447700900123",
    } <= tokens


def test_search_by_surname_given_name_hanzi_email_wechat_and_phone(factory, people):
    wang = factory.student(
        people["envoy"],
        name_latin="Wang Wei",
        name_hanzi="王伟",
        email="wang.wei@x.org",
        wechat_id="ww_2027",
        phone="+44 161 555 0199",
    )
    other = factory.student(people["envoy"], name_latin="Li Na", email="li.na@x.org")
    for q in ("wang", "WEI", "Wei Wang", "王", "王伟", "wang.wei@", "ww_20", "161555"):
        assert _search(q) == [wang.id], q
    assert _search("li na") == [other.id]
    assert _search("wang li") == []
    assert _search("zzz") == []


def test_search_tokens_follow_edits_and_merges(factory, people):
    a = factory.student(people["envoy"], name_latin="Zhao Lei", email=None)
    a.name_latin = "Qian Lei"
    db.session.commit()
    assert _search("zhao") == [] and _search("qian") == [a.id]
    b = factory.student(people["envoy"], name_latin=None, name_hanzi="孙丽", email=None)
    services.merge(a, b)
    db.session.commit()
    assert _search("孙丽") == [] or _search("孙丽") == [a.id]


def test_deleting_a_student_removes_its_tokens(factory, people):
    s = factory.student(people["envoy"], name_latin="Gone Person")
    db.session.delete(s)
    db.session.commit()
    assert (
        db.session.scalars(
            select(StudentSearchToken).where(StudentSearchToken.token == "gone")
        ).all()
        == []
    )


def test_reindex_rebuilds_every_students_tokens(factory, people):
    s = factory.student(people["envoy"], name_latin="Re Index")
    db.session.execute(StudentSearchToken.__table__.delete())
    assert _search("index") == []
    assert reindex_all(db.session.connection()) == 1
    db.session.commit()
    assert _search("index") == [s.id]


def test_a_broad_list_counts_up_to_a_cap_and_still_pages_on(
    client, login_as, factory, people
):
    from envoycrm.pagination import paginate_capped

    for n in range(30):
        factory.student(people["envoy"], name_latin=f"Many Student{n:02d}")
    query = queries.student_query(select(Student), queries.StudentFilter(sort="name"))
    page = paginate_capped(query, page=1, per_page=10, cap=20)
    assert page.capped and page.total == 20 and page.has_next
    assert [s.name_latin for s in page.items][:2] == [
        "Many Student00",
        "Many Student01",
    ]
    last = paginate_capped(query, page=3, per_page=10, cap=100)
    assert not last.capped and last.total == 30 and not last.has_next
    assert len(last.items) == 10
    login_as("envoy")
    html = client.get("/students/").get_data(as_text=True)
    assert "30 students" in html and "Page 1 of 2" in html


def test_a_capped_list_says_more_than_and_pages_on(
    app, client, login_as, factory, people
):
    app.config["LIST_COUNT_CAP"] = 20
    for n in range(30):
        factory.student(people["envoy"], name_latin=f"Capped Student{n:02d}")
    login_as("envoy")
    html = client.get("/students/").get_data(as_text=True)
    assert "More than 20 students" in html
    assert "Page 1</span>" in html and "page=2" in html
