"""NetSuite (ERP) ingestion: SuiteQL over REST, incremental on lastmodifieddate, deletes by
key reconciliation. See `source.py` for the design."""

from ingestion.netsuite.source import source

__all__ = ["source"]
