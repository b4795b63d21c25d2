"""Discover: which pages to visit (start URL, links, robots.txt, sitemaps, URL lists)."""
