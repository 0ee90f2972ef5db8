"""Optional rules on received traps, all off by default: deduplication, per-source rate
limits, forwarding (webhook, syslog). Checks run on the pipeline thread; forwarding runs
on its own thread so a slow target never slows reception."""
