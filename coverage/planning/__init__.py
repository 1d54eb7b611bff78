"""Candidate sites, coverage sets, greedy and exact selection, backhaul, sharing."""
