package dev.hiringkit.model;

import dev.hiringkit.Table;

/** A job: {@code jobs(id, job)}. */
public record Job(Integer id, String job) implements Row {

    @Override
    public Table table() {
        return Table.JOBS;
    }

    @Override
    public String toCsv() {
        return Csv.join(id, job);
    }
}
