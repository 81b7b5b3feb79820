"""Form data for the events tests (shared with the cross-cutting suites)."""

from datetime import date, timedelta


def event_form_data(**overrides) -> dict:
    """A valid event form: an info session at 18:00 London time in ten days."""
    day = date.today() + timedelta(days=10)
    data = {
        "kind": "INFO_SESSION",
        "title_en": "Working in Qingdao",
        "title_zh": "在青岛工作",
        "description_en": "Meet the bureau.",
        "description_zh": "与人社局见面。",
        "time_zone": "Europe/London",
        "starts_at": f"{day.isoformat()}T18:00",
        "ends_at": f"{day.isoformat()}T20:00",
        "place": "University Place, Room 2.1",
        "online_url": "",
        "capacity": "40",
        "registration_deadline": day.isoformat(),
    }
    data.update(overrides)
    return data


def registration_form_data(**overrides) -> dict:
    """A valid public registration, with a university not on the list."""
    data = {
        "name": "Li Na 李娜",
        "email": "li.na@students.example.org",
        "wechat_id": "",
        "university_id": "0",
        "university_typed": "University of Leeds",
        "programme": "MSc Chemistry",
        "field": "CHEMISTRY",
        "degree": "MASTER",
        "expected_graduation": "2027-06",
        "consent": "y",
    }
    data.update(overrides)
    return data
