"""One definition of a Chinese character, used by every name rule."""

import pytest

from envoycrm.jobs.referrals import split_name
from envoycrm.students.names import has_hanzi, is_hanzi
from envoycrm.students.search import query_words


@pytest.mark.parametrize("char", ["王", "㐀", "鿿", "﨑"])
def test_unified_extension_a_and_compatibility_ideographs_are_hanzi(char):
    assert is_hanzi(char)
    assert has_hanzi(f"Li {char}")


@pytest.mark.parametrize("text", ["", None, "Wang Wei", "ｗａｎｇ", "。"])
def test_latin_letters_and_punctuation_are_not_hanzi(text):
    assert not has_hanzi(text)


def test_a_public_reply_splits_a_compatibility_ideograph_into_the_chinese_name():
    assert split_name("Saki 﨑田") == ("Saki", "﨑田")


def test_a_search_word_with_a_compatibility_ideograph_is_kept_as_typed():
    assert query_words("﨑田 Zoë") == ["﨑田", "zoe"]
