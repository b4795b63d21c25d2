"""qa: website QA and accessibility verification (WCAG 2.2 / JIS X 8341-3).

The small public API: :func:`qa.run.audit.run_audit` audits a site, :func:`qa.store.load_results` reads a run,
:func:`qa.report.render_all` writes every deliverable from a run's results.
"""

__version__ = "0.1.0"
