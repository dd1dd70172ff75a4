"""Spreadsheets in and out of the projects app.

Out: the flat list as CSV and XLSX (export.py, cells computed by the database in cells.py,
the XLSX streamed by xlsx.py) and the plan's status table (status_table.py). In: a list XLSX,
edited, read back (reading.py, values.py), shown as a preview of changes (preview.py) and applied
through projects.services (apply.py). columns.py is the file contract both sides share, so an
untouched export re-imports as zero changes.
"""
