"""Typed Block Kit for the sync. Pure: data in, blocks out; outside text through the kit."""
