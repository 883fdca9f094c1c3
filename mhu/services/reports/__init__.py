"""Reports for command staff and funders: periods, the command report's numbers, grant exports.

Business rules only: the numbers and the texts around them come from mhu.services.metrics and its
registry. Drawing them as HTML, SVG and PDF is mhu.reports.
"""

from mhu.services.reports import jmhcp
from mhu.services.reports.command import command_report
from mhu.services.reports.periods import PERIOD_HELP, Period, PeriodError, federal_quarter, parse_period

__all__ = ["PERIOD_HELP", "Period", "PeriodError", "command_report", "federal_quarter", "jmhcp", "parse_period"]
