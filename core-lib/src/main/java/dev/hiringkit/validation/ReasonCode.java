package dev.hiringkit.validation;

/** Why a record was refused. The names are stable: programs and the rejections table rely on them. */
public enum ReasonCode {
    /** A required field is empty or blank ("all the fields are required"). */
    MISSING_FIELD,
    /** An id is not a whole number. */
    NOT_AN_INTEGER,
    /** An id is not a positive 32-bit integer, or a datetime is outside what PostgreSQL stores. */
    OUT_OF_RANGE,
    /** A datetime is not an ISO 8601 instant with {@code Z} or an explicit offset. */
    BAD_DATETIME,
    /** The department id names no department. */
    UNKNOWN_DEPARTMENT,
    /** The job id names no job. */
    UNKNOWN_JOB,
    /** The id is already in the table, or earlier in the same input. */
    DUPLICATE_ID,
    /** The CSV record has more or fewer fields than the table has columns. */
    WRONG_COLUMN_COUNT,
    /** The CSV record's quoting is broken: an unclosed quote or text after a closing quote. */
    BAD_QUOTING,
    /** The record is not valid UTF-8, or holds a character PostgreSQL cannot store (NUL). */
    BAD_ENCODING,
    /** The record is longer than the reader accepts. */
    RECORD_TOO_LONG,
    /** The row was valid but its all-or-nothing batch held an invalid row, so nothing was inserted. */
    BATCH_REFUSED
}
