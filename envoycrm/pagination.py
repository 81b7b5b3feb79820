"""Pages of a list whose total is counted only up to a cap.

Counting every match of a broad search across 200,000 students costs more
than showing the page itself; past ``cap`` the page says "1,000+" and lets
people page on, which is all a person does with so many results.
"""

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from envoycrm.extensions import db


@dataclass
class CappedPage:
    """One page of results and a total counted up to ``cap``."""

    items: list[Any]
    page: int
    per_page: int
    total: int
    capped: bool

    @property
    def pages(self) -> int:
        """How many pages the counted total fills (one more when capped)."""
        return max(1, math.ceil(self.total / self.per_page)) + (1 if self.capped else 0)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.capped or self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def count_capped(query: Select[Any], cap: int) -> tuple[int, bool]:
    """The rows of ``query`` counted up to ``cap``, and whether there are more."""
    limited = query.order_by(None).with_only_columns(query.selected_columns[0])
    counted = (
        db.session.scalar(
            select(func.count()).select_from(limited.limit(cap + 1).subquery())
        )
        or 0
    )
    return min(counted, cap), counted > cap


def paginate_capped(
    query: Select[Any], page: int, per_page: int, cap: int
) -> CappedPage:
    """The ``page``-th page of ``query`` and its total, counted up to ``cap``."""
    total, capped = count_capped(query, cap)
    items = db.session.scalars(
        query.limit(per_page).offset((page - 1) * per_page)
    ).all()
    return CappedPage(
        items=list(items),
        page=page,
        per_page=per_page,
        total=total,
        capped=capped,
    )
