"""One module per revision, named ``rNNNN_<slug>.py``; Alembic finds them by path."""
