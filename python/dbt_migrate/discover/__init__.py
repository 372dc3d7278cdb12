"""`migrate discover`: read raw T-SQL (GO-separated scripts or a folder of .sql files) and write the
migration project's manifest and catalogs, deterministically and offline (issue #18)."""
