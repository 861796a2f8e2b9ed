"""HTTP glue shared by the endpoint functions: parameters, envelopes, error mapping."""
