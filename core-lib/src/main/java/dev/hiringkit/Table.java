package dev.hiringkit;

import java.util.List;

/** The three tables of hiring records, in the order parents come before children. */
public enum Table {
    DEPARTMENTS("departments", List.of("id", "department")),
    JOBS("jobs", List.of("id", "job")),
    HIRED_EMPLOYEES("hired_employees", List.of("id", "name", "datetime", "department_id", "job_id"));

    private final String sqlName;
    private final List<String> columns;

    Table(String sqlName, List<String> columns) {
        this.sqlName = sqlName;
        this.columns = columns;
    }

    /** The table's name in PostgreSQL, also the base name of its CSV file. */
    public String sqlName() {
        return sqlName;
    }

    /** The columns in the order a CSV record carries them. */
    public List<String> columns() {
        return columns;
    }

    /** The conventional CSV file name, for example {@code hired_employees.csv}. */
    public String fileName() {
        return sqlName + ".csv";
    }

    /** Parses a table name as users write it: {@code hired_employees}, {@code HIRED_EMPLOYEES}, {@code hired-employees}. */
    public static Table fromName(String name) {
        String wanted = name.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        for (Table table : values()) {
            if (table.sqlName.equals(wanted)) {
                return table;
            }
        }
        throw new HiringException(HiringException.Code.UNKNOWN_TABLE,
                "Unknown table '" + name + "': expected departments, jobs or hired_employees");
    }
}
