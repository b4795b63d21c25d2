"""Judge a finished run again without a browser: its site-level checks re-run over the stored artifacts, then the
judge, so a new rule, threshold or setting applies to last week's crawl (``qa report --rejudge RUN_DIR``)."""

from __future__ import annotations

from pathlib import Path

from qa.check import load_checks
from qa.check._whole_run import rejudge
from qa.config import load_project_config
from qa.judge.judgement import judge_run
from qa.model import Results
from qa.store import RESULTS, write_json_atomic


def rejudge_run(results: Results, run_dir: Path, config_file: Path | None) -> list[str]:
    """Re-run the site checks, judge once more and rewrite results.json; returns the ids of the checks re-run."""
    config = load_project_config(config_file)
    ids = rejudge(results, load_checks(Path(config.checks_dir)), config)
    judge_run(results, run_dir=run_dir)
    write_json_atomic(run_dir / RESULTS, results.to_dict())
    return ids
