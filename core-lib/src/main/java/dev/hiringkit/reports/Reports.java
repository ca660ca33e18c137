package dev.hiringkit.reports;

/**
 * The two hiring reports, computed by PostgreSQL. Years and quarters are UTC whatever the server's or
 * the JVM's time zone; names are ordered by their bytes ({@code COLLATE "C"}) whatever the database's
 * collation, so every database gives the same answer.
 */
public interface Reports {

    /** The year the reports cover when none is given. */
    int DEFAULT_YEAR = 2021;

    /** Every department and job with a hire in {@code year}, with hires per quarter. */
    HiresByQuarter hiresByQuarter(int year);

    /** One page of {@link #hiresByQuarter(int)}: {@code limit} rows from row {@code offset} (0-based). */
    HiresByQuarter hiresByQuarter(int year, int offset, int limit);

    /** The departments that hired more than the mean of all departments in {@code year}. */
    DepartmentsAboveMean departmentsAboveMean(int year);

}
