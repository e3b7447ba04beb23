// Package parquet reads Parquet datasets — text corpora with a text
// column, LAION-style image-URL/caption tables and tables with embedded
// image bytes — row group by row group as bounded records, and writes
// their clean copies row for row.
package parquet
