"""Run: the orchestration above every stage. Enter the site, crawl with the engines, run the checks in each visit and
over the whole run, judge once, write the reports; resume an interrupted run, re-judge a finished one."""
