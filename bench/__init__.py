"""Benchmarks printed by `make bench`: round trips, signatures, latency, throughput, cold starts."""
