"""Background work: the scheduler and its jobs (health check, backups)."""
