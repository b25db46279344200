"""Experts at Hand (requests to a named service, replies written into the plan) and inclusion bases."""
