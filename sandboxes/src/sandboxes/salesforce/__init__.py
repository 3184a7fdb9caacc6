"""The Salesforce REST API sandbox: OAuth, SOQL query/queryAll, sObject rows, upsert by
external ID, sObject Collections, the deleted-records feed and API usage limits, served
from the store's `salesforce` database. See README.md for the subset and fidelity choices."""
