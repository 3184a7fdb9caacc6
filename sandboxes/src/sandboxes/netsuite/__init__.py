"""The NetSuite REST web services sandbox: OAuth 2.0 tokens, SuiteQL and the record API."""
