"""Runs the dbt project (`dbt_project/`) against the configured warehouse."""
