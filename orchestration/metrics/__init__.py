"""The semantic layer (dbt_project/models/semantic/), answered by MetricFlow from the
published serving file: ``journey metrics`` and the tests read it through here."""
