"""Salesforce (CRM) ingestion: Account, Opportunity, OpportunityLineItem, Contract and
Contract_Rate__c, incremental on SystemModstamp with soft deletes and the deleted feed."""

from ingestion.salesforce.source import source

__all__ = ["source"]
