"""One filter vocabulary: one parser, one sort table, for every student list."""

from werkzeug.datastructures import MultiDict

from envoycrm.pipeline.filters import PipelineFilter
from envoycrm.students.queries import SORTS, StudentFilter


def test_a_control_character_makes_any_list_argument_malformed_and_unapplied():
    args = MultiDict(
        {"q": "wang\x00", "tag": "phd\u2028track", "graduation_year": "2027"}
    )
    workspace = StudentFilter.from_args(args)
    pipeline = PipelineFilter.from_args(args)
    assert workspace.q == "" and workspace.tag is None
    assert pipeline.tag is None
    assert workspace.graduation_year == pipeline.graduation_year == 2027


def test_numbers_out_of_range_or_not_ascii_digits_are_not_applied():
    for value in ("1990", "2100", "２０２７", "99999999999999999999"):
        args = MultiDict({"graduation_year": value, "envoy": value})
        assert StudentFilter.from_args(args).graduation_year is None
        assert PipelineFilter.from_args(args).graduation_year is None
    assert PipelineFilter.from_args(MultiDict({"envoy": "99999999999"})).envoy is None


def test_each_list_offers_its_sorts_from_the_one_table():
    assert set(StudentFilter.SORTS) < set(SORTS)
    assert StudentFilter.from_args(MultiDict({"sort": "stage_age"})).sort == "activity"
    assert (
        PipelineFilter.from_args(MultiDict({"sort": "stage_age"})).sort == "stage_age"
    )


def test_the_sort_menus_are_rendered_from_the_table(client, login_as):
    login_as("coordinator")
    workspace = client.get("/students/?sort=graduation").get_data(as_text=True)
    board = client.get("/pipeline/list?sort=created").get_data(as_text=True)
    assert '<option value="graduation" selected>Graduation</option>' in workspace
    assert 'value="stage_age"' not in workspace
    assert '<option value="created" selected>Newest</option>' in board
    assert '<option value="stage_age">Longest in stage</option>' in board
