"""The gateway's HTTP routes; each module stays thin and calls the logic modules."""
