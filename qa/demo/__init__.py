"""The built-in demo site: a small investment-promotion site with documented, deliberately seeded defects."""
