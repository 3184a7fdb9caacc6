"""Pieces every vendor sandbox shares: wire time formats, ids, faults, rate limits, TLS, serving."""
