package dev.hiringkit.internal.repository;

import dev.hiringkit.Table;
import dev.hiringkit.internal.csv.CsvReader;
import dev.hiringkit.internal.db.CopyBuffer;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Row;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.validation.Checked;
import dev.hiringkit.validation.ReasonCode;
import dev.hiringkit.validation.Validator;
import dev.hiringkit.validation.Violation;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What a historical load does with each CSV record it reads: tells a header from data, turns a record
 * the reader could not read into its violation, checks the rest against the data rules and writes a
 * valid one to the chunk's COPY stream.
 */
final class LoadRecords {

    private LoadRecords() {
    }

    /** Checks one record; a valid one is written to the COPY stream. */
    static List<Violation> check(Table table, CsvReader reader, Validator.Scope scope, CopyBuffer out)
            throws SQLException {
        if (reader.problem() != null) {
            return List.of(problem(reader.problem()));
        }
        Checked<Row> checked = scope.admit(table, reader.fields());
        if (checked.valid()) {
            encode(checked.row(), out);
        }
        return checked.violations();
    }

    private static void encode(Row row, CopyBuffer out) throws SQLException {
        if (row instanceof HiredEmployee e) {
            out.row(5).int4(e.id()).text(e.name()).timestamptz(e.datetime()).int4(e.departmentId()).int4(e.jobId());
        } else if (row instanceof Department d) {
            out.row(2).int4(d.id()).text(d.department());
        } else if (row instanceof Job j) {
            out.row(2).int4(j.id()).text(j.job());
        }
        out.endRow();
    }

    private static Violation problem(CsvReader.Problem problem) {
        return switch (problem) {
            case BAD_QUOTING -> new Violation("record", ReasonCode.BAD_QUOTING,
                    "the record's quotes are unbalanced, text follows a closing quote, or a line break outside quotes"
                            + " is a lone CR");
            case BAD_ENCODING -> new Violation("record", ReasonCode.BAD_ENCODING,
                    "the record is not valid UTF-8 or contains a NUL character");
            case TOO_LONG -> new Violation("record", ReasonCode.RECORD_TOO_LONG,
                    "the record is longer than " + CsvReader.DEFAULT_MAX_RECORD_BYTES + " bytes");
        };
    }

    static boolean isHeader(Table table, List<String> fields, LoadOptions options) {
        return switch (options.header()) {
            case PRESENT -> true;
            case ABSENT -> false;
            case DETECT -> fields.size() == table.columns().size()
                    && IntStream.range(0, fields.size())
                            .allMatch(i -> fields.get(i).trim().equalsIgnoreCase(table.columns().get(i)));
        };
    }

    static String copySql(Table table) {
        return CopyBuffer.copySql(table.sqlName(), String.join(", ", table.columns()));
    }
}
