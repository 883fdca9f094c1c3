"""Program evaluation (docs/evaluation.md): the eligibility funnel and coverage gaps, before/after
and unit vs patrol-only comparisons with intervals, avoided events and their costs, hand-off times.

Every count is SQL over the call table; patrol-only calls (CAD history the unit did not attend) are
read here and nowhere in the unit's own metrics.
"""

from mhu.services.evaluation.compare import CAVEAT, METHOD, before_after, like_with_like, newcombe, wilson
from mhu.services.evaluation.eligibility import STAGES, call_scope, coverage_gaps, funnel, funnel_calls
from mhu.services.evaluation.savings import avoided, handoff_times
from mhu.services.evaluation.settings import UNIT_COSTS, eligibility, program_starts, unit_costs

__all__ = ["CAVEAT", "METHOD", "STAGES", "UNIT_COSTS", "avoided", "before_after", "call_scope", "coverage_gaps",
           "eligibility", "funnel", "funnel_calls", "handoff_times", "like_with_like", "newcombe", "program_starts",
           "unit_costs", "wilson"]
