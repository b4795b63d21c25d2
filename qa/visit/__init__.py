"""Visit: drive real browsers over the browser × viewport matrix and hand each loaded page to the checks."""
