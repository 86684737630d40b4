"""Asynchronous jobs: the job records (SQLite or PostgreSQL), the back-end's job folders under
the jobs root, permissions of job owners, and (the queue side) job types, runner, workers and
schedules."""
