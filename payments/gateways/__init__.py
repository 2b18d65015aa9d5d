"""Clients for external payment gateways."""
