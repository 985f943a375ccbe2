"""``file-drop``: CSV, XLSX and JSON-lines files from a local folder or an http(s) location.

The reference connector for file drops (a WMS's nightly stock snapshot, ERP master-data
exports). Streams ``stock`` (``inv_*.csv``), ``products`` (``products_*.{csv,xlsx}``) and
``dealers`` (``dealers_*.{csv,xlsx,jsonl}``); every column arrives as text and the mappings
in ``mappings/file-drop/`` cast and check it. Run it with
``python -m connectors.file_drop spec|check|discover|read``.

Incremental reading: each file once, in order of arrival
--------------------------------------------------------
Files are ordered by ``(change time, name)``. The change time is the later of mtime and
ctime: on POSIX, ctime moves when a file is renamed into place, so an upload written to
``x.csv.part`` and renamed later orders by when it appeared, not by when its bytes were
written (an mtime-only order would let the cursor pass it and lose it). Over HTTP it is the
``Last-Modified`` header.

The cursor is one sortable string per **row**, ``<time ns, 20 digits>/<file>/<line, 12
digits>``, and ``<time>/<file>/end`` on a file's last row (``cursor_type = "string"``).
Because every row has its own cursor value, the boundary keys of
:mod:`connectors.state` hold exactly one row, and the state stays a few bytes whatever the
file size. (A cursor per *file* would make the boundary set every key of the file: a
million-key state rewritten with every batch, and rows repeating a key inside one file
silently dropped as "already read".) Hence:

- a file half-loaded when the process died resumes right after the last committed row
  (the cursor's line); earlier rows are skipped without building frames;
- a file read to its end (``…/end``) is never opened again;
- a file that changes gets a new time, so it is read again as a new file; the store's merge
  makes its unchanged rows no-ops.

The stream's primary key stays the business key the files carry (``warehouse_code, sku,
lot`` for stock), which is what Airbyte destinations deduplicate on. A lookback has no
meaning for files and is refused; a full refresh reads every file again (the folder is the
snapshot) and soft-deletes rows of files that are gone.

Files still being written are left alone: ``*.part`` / ``*.filepart`` / ``*.tmp`` uploads,
and files whose size or time moves between two looks ``settle_seconds`` apart. Nothing after
such a file is read either, so the cursor never passes a file that is not finished (see
:mod:`connectors.file_drop.selection`).

Bad input
---------
A line with too many or too few fields, or broken quoting, becomes a row whose
``_malformed`` column says why (with the line's text): the mapping rejects it into
quarantine, so read = loaded + rejected holds and the other lines load. Each page's offset
is ``<file>:lines=<first>-<last>``, and each row carries its ``_file`` and ``_line``. A file in
an encoding that does not decode fails with the file's name before any of its rows is read
(:mod:`connectors.file_drop.encoding`); a file cut off inside a character has its last row
flagged as malformed. Empty and header-only files give no rows.
"""
