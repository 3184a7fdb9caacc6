"""dlt assets: what each source system lands in the warehouse."""
