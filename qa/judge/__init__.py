"""Judge: turn findings into verdicts per success criterion, and decide whether the run passes its gate."""
