"""Chart CSVs: exactly the plotted numbers, safe to open in a spreadsheet."""

from dashboards import export, figures
from mhu.services.csv_writer import write_csv


def test_bar_chart_csv_holds_the_plotted_bars():
    figure = figures.bar([{"key": "North", "count": 12}, {"key": "South", "count": 3}],
                         title="Calls by district", x_title="District")

    assert export.figure_csv(figure) == "District,Calls (count)\r\nNorth,12\r\nSouth,3\r\n"


def test_horizontal_bars_keep_category_then_value():
    figure = figures.bar([{"key": "Team A", "count": 7}], title="Teams", x_title="Team", horizontal=True)

    assert export.figure_table(figure) == (["Team", "Calls (count)"], [["Team A", 7]])


def test_heatmap_csv_has_one_row_per_cell_including_zeros():
    figure = figures.hour_weekday_heatmap([{"weekday": 0, "hour": 9, "count": 4}])

    header, rows = export.figure_table(figure)

    assert header == ["Weekday", "Hour of day (local, 0–23)", "Calls"]
    assert len(rows) == 7 * 24
    assert ["Mon", 9, 4] in rows and ["Tue", 9, 0] in rows


def test_formula_like_text_is_escaped_and_numbers_are_not():
    text = write_csv(["name", "value"], [["=HYPERLINK(1)", -3], ["+1", 2], ["@x", 0], ["\tx", 1],
                                                  ["-x", 1], ["plain", 1.5]])

    assert text.splitlines() == ["name,value", "'=HYPERLINK(1),-3", "'+1,2", "'@x,0", "'\tx,1", "'-x,1", "plain,1.5"]
