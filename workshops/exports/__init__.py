"""Staff downloads: attendee lists, rosters, catering and access lists, sign-in sheets, badges.

`downloads` says what exists and who may have it, `rows` reads the data with a
fixed number of queries, `resources` (django-import-export) turns rows into
cells, `spreadsheets` writes CSV (streamed) and XLSX, `pdfs` the printables,
and `views` serves them inside the admin, recording each download.
"""
