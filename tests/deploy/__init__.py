"""A shared deployment under test: migrations, gunicorn, nginx's static index, load and faults."""
