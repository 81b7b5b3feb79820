"""Counts the database keeps as rows change, for pages that must not count
200,000 students or a million touchpoints on every view (PRODUCT.md §7).

``triggers`` keeps them (and repairs them: ``flask rollups rebuild``);
``queries`` reads them for the board, the list, the dashboards and the
envoys' activity whenever the filter is one the counts are kept by.
"""
