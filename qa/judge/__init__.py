"""Judge: turn findings into verdicts per success criterion, and decide whether the run passes its gate.

:func:`judge_run` does it all once and stores it in the results (``judgement``); the reports read that.
"""

from qa.judge.judgement import judge_run

__all__ = ["judge_run"]
