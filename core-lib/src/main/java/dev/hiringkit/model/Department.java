package dev.hiringkit.model;

import dev.hiringkit.Table;

/** A department: {@code departments(id, department)}. */
public record Department(Integer id, String department) implements Row {

    @Override
    public Table table() {
        return Table.DEPARTMENTS;
    }

    @Override
    public String toCsv() {
        return Csv.join(id, department);
    }
}
