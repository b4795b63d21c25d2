"""The link check: links and resources collected from the rendered DOM during the crawl, each URL checked once
with LinkChecker in a child process after it, and the results joined back to every place that links to them."""
