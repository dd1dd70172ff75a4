"""The `bench` command's three implementations of each page: the project's endpoint, the limit
(one hand-written SQL query through psycopg, no framework) and the typical DRF peer."""
