"""Check each layer against its schema: good rows go on, bad rows go to rejects."""
